package io.m365sync.jdbc;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The embedded H2 file as a host sees it ({@link JdbcSyncStateStore#dataSource()}, shared with a
 * scheduler): each of its commits is in the file when the call that made it returns, as the store's
 * own are. H2 writes no commit to the file by itself there ({@link H2Files}); these connections write
 * it after {@code commit()}, after a statement that changes data in auto-commit mode, and after
 * {@code setAutoCommit(true)} ends a transaction.
 */
final class FileWritingDataSource implements DataSource {
  private final DataSource pool;
  private final Runnable writeFile;

  FileWritingDataSource(DataSource pool, Runnable writeFile) {
    this.pool = pool;
    this.writeFile = writeFile;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return writing(pool.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return writing(pool.getConnection(username, password));
  }

  private Connection writing(Connection c) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        new ConnectionHandler(c));
  }

  private final class ConnectionHandler implements InvocationHandler {
    private final Connection c;

    ConnectionHandler(Connection c) {
      this.c = c;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("equals") && method.getParameterCount() == 1) {
        return proxy == args[0];
      } else if (name.equals("hashCode") && method.getParameterCount() == 0) {
        return System.identityHashCode(proxy);
      }
      boolean endsTransaction = name.equals("commit")
          || name.equals("setAutoCommit") && Boolean.TRUE.equals(args[0]) && !c.getAutoCommit();
      Object result = call(c, method, args);
      if (endsTransaction) {
        writeFile.run();
      } else if (result instanceof Statement) {
        Class<?> type = result instanceof CallableStatement ? CallableStatement.class
            : result instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {type},
            new StatementHandler((Statement) result, (Connection) proxy));
      }
      return result;
    }
  }

  private final class StatementHandler implements InvocationHandler {
    private final Statement statement;
    private final Connection connection;

    StatementHandler(Statement statement, Connection connection) {
      this.statement = statement;
      this.connection = connection;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      String name = method.getName();
      if (name.equals("getConnection")) {
        return connection;
      }
      Object result = call(statement, method, args);
      // a query changes nothing; every other execution in auto-commit mode committed
      if (name.startsWith("execute") && !name.equals("executeQuery") && statement.getConnection().getAutoCommit()) {
        writeFile.run();
      }
      return result;
    }
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return pool.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || pool.isWrapperFor(type);
  }
}
