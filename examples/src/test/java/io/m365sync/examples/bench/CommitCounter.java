package io.m365sync.examples.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Counts the commits made on a {@link DataSource}'s connections, and among them those of transactions
 * that prepared a write ({@code INSERT}, {@code UPDATE}, {@code DELETE}, {@code MERGE}): what a durable
 * store's path costs the database per idle cycle, whatever the statements inside.
 */
final class CommitCounter {
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong writeCommits = new AtomicLong();

  long commits() {
    return commits.get();
  }

  long writeCommits() {
    return writeCommits.get();
  }

  /** {@code dataSource}, its connections counted. */
  DataSource counting(DataSource dataSource) {
    return proxy(DataSource.class, (proxy, method, args) -> {
      Object result = call(dataSource, method, args);
      return result instanceof Connection c ? counting(c) : result;
    });
  }

  private Connection counting(Connection connection) {
    boolean[] wrote = {false}; // a connection is used by one thread at a time
    return proxy(Connection.class, (proxy, method, args) -> {
      if (method.getName().equals("prepareStatement") && isWrite((String) args[0])) {
        wrote[0] = true;
      }
      Object result = call(connection, method, args);
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
    });
  }

  private static boolean isWrite(String sql) {
    String verb = sql.stripLeading().split("\\s", 2)[0].toUpperCase(Locale.ROOT);
    return verb.equals("INSERT") || verb.equals("UPDATE") || verb.equals("DELETE") || verb.equals("MERGE");
  }

  private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
