package io.m365sync.examples.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that counts the commits made on its connections, and among them those of
 * transactions that prepared a write ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}): what
 * a durable store's write path costs the database per idle cycle, whatever the statements inside.
 */
final class CommitCounter implements DataSource {
  private final DataSource delegate;
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong writeCommits = new AtomicLong();

  CommitCounter(DataSource delegate) {
    this.delegate = delegate;
  }

  long commits() {
    return commits.get();
  }

  long writeCommits() {
    return writeCommits.get();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return counting(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return counting(delegate.getConnection(username, password));
  }

  private Connection counting(Connection connection) {
    boolean[] wrote = {false}; // a connection is used by one thread at a time
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          try {
            if (method.getName().equals("prepareStatement") && isWrite((String) args[0])) {
              wrote[0] = true;
            }
            Object result = method.invoke(connection, args);
            if (method.getName().equals("commit")) {
              commits.incrementAndGet();
              if (wrote[0]) {
                writeCommits.incrementAndGet();
              }
            }
            if (method.getName().equals("commit") || method.getName().equals("rollback")) {
              wrote[0] = false;
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  private static boolean isWrite(String sql) {
    String verb = sql.stripLeading().split("\\s", 2)[0].toUpperCase(java.util.Locale.ROOT);
    return verb.equals("INSERT") || verb.equals("UPDATE") || verb.equals("DELETE") || verb.equals("MERGE");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
