package io.m365sync.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The embedded H2 file as a host sees it ({@link JdbcSyncStateStore#dataSource()}, shared with a
 * scheduler): each of its commits is in the file when the call that made it returns, as the store's
 * own are. H2 writes no commit to the file by itself there ({@link H2Files}); these connections write
 * it after {@code commit()}, after a statement that changes data in auto-commit mode, and after
 * {@code setAutoCommit(true)} ends a transaction.
 */
final class FileWritingDataSource extends DelegatingDataSource {
  private final Runnable writeFile;

  FileWritingDataSource(DataSource pool, Runnable writeFile) {
    super(pool);
    this.writeFile = writeFile;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return writing(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return writing(delegate.getConnection(username, password));
  }

  private Connection writing(Connection c) {
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        new ConnectionHandler(c));
  }

  /** A JDBC caller gets a failed write of the file as the {@code SQLException} its call may throw. */
  private void writeFile() throws SQLException {
    try {
      writeFile.run();
    } catch (RuntimeException e) {
      throw new SQLException("committed, but H2 could not write the commit to its file: " + e.getMessage(), e);
    }
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
        writeFile();
      } else if (result instanceof Statement) { // as created: a Statement, PreparedStatement or CallableStatement
        return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {method.getReturnType()},
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
        writeFile();
      }
      return result;
    }
  }
}
