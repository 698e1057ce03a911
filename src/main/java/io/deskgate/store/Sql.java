package io.deskgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/** Small JDBC helpers: bind positional arguments, map rows, close everything. */
public final class Sql {

  private Sql() {}

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  public static <T> Optional<T> one(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? Optional.of(row.map(rs)) : Optional.empty();
    }
  }

  public static <T> List<T> list(Connection c, String sql, Row<T> row, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args); ResultSet rs = ps.executeQuery()) {
      List<T> out = new ArrayList<>();
      while (rs.next()) {
        out.add(row.map(rs));
      }
      return out;
    }
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the number of rows it touched. */
  public static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  /** A WHERE clause of conditions joined by AND, the optional ones left out when their value is null. */
  public static final class Where {
    private final StringBuilder sql = new StringBuilder("WHERE ");
    private final List<Object> args = new ArrayList<>();

    public Where(String column, Object value) {
      sql.append(column).append(" = ?");
      args.add(value);
    }

    private Where and(String column, String op, Object value) {
      if (value != null) {
        sql.append(" AND ").append(column).append(op).append('?');
        args.add(value);
      }
      return this;
    }

    public Where equal(String column, Object value) {
      return and(column, " = ", value);
    }

    public Where atLeast(String column, Object value) {
      return and(column, " >= ", value);
    }

    public Where below(String column, Object value) {
      return and(column, " < ", value);
    }

    @Override
    public String toString() {
      return sql.toString();
    }

    /** Its arguments, then {@code more} (for what follows the clause, such as LIMIT and OFFSET). */
    public Object[] args(Object... more) {
      List<Object> all = new ArrayList<>(args);
      all.addAll(List.of(more));
      return all.toArray();
    }
  }

  /** {@code ?, ?, ?}: the placeholders of an {@code IN (...)} list of {@code n} values. */
  public static String placeholders(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    try {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps;
    } catch (SQLException e) {
      ps.close();
      throw e;
    }
  }
}
