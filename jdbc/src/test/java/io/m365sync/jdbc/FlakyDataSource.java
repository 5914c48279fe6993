package io.m365sync.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * A {@code DataSource} whose connection "drops" after a given number of executed statements, as a
 * network cut or a database failover would: the statement that hits the limit is not executed, its
 * physical connection is closed without commit (so its transaction rolls back), and every later
 * statement or connection fails with SQLState {@code 08006} until {@link #heal()}.
 */
final class FlakyDataSource extends DelegatingDataSource {
  private final AtomicLong executed = new AtomicLong();
  private final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
  private final AtomicBoolean down = new AtomicBoolean();
  private volatile Runnable onDrop = () -> {};

  FlakyDataSource(DataSource delegate) {
    super(delegate);
  }

  /** The connection drops at the {@code n}-th statement from now (1: the next one). */
  void dropAfter(long n) {
    budget.set(executed.get() + n - 1);
  }

  /** The connection works again (new connections only: dropped ones stay dead). */
  void heal() {
    budget.set(Long.MAX_VALUE);
    down.set(false);
  }

  /** Called once, on the thread whose statement hit the limit, before it fails. */
  void onDrop(Runnable action) {
    this.onDrop = action;
  }

  boolean isDown() {
    return down.get();
  }

  /** Statements executed so far. */
  long executed() {
    return executed.get();
  }

  private static SQLException lost() {
    return new SQLNonTransientConnectionException("connection lost (simulated)", "08006");
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (down.get()) {
      throw new SQLNonTransientConnectionException("connection refused (simulated)", "08001");
    }
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    if (down.get()) {
      throw new SQLNonTransientConnectionException("connection refused (simulated)", "08001");
    }
    return wrap(delegate.getConnection(username, password));
  }

  private Connection wrap(Connection real) {
    AtomicBoolean dead = new AtomicBoolean();
    InvocationHandler connectionHandler = new InvocationHandler() {
      @Override
      public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("close")) {
          if (!real.isClosed()) {
            real.close();
          }
          return null;
        }
        if (name.equals("isClosed")) {
          return dead.get() || real.isClosed();
        }
        if (dead.get()) {
          throw lost();
        }
        Object result = call(real, method, args);
        if (result instanceof Statement s) {
          return statement(s, method.getReturnType(), real, dead);
        }
        return result;
      }
    };
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
        connectionHandler);
  }

  private Object statement(Statement real, Class<?> type, Connection connection, AtomicBoolean dead) {
    InvocationHandler handler = (proxy, method, args) -> {
      String name = method.getName();
      if (name.equals("close")) {
        real.close();
        return null;
      }
      if (dead.get()) {
        throw lost();
      }
      if (name.startsWith("execute")) {
        if (executed.incrementAndGet() > budget.get() && down.compareAndSet(false, true)) {
          onDrop.run();
        }
        if (down.get()) {
          dead.set(true);
          connection.close(); // no commit: the transaction is gone
          throw lost();
        }
      }
      return call(real, method, args);
    };
    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {type}, handler);
  }
}
