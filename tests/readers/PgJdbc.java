// Drives `yusuan serve` with the PostgreSQL JDBC driver, as DBeaver and Metabase do, for
// the serve tests. Run as a single-file program:
//
//     java -cp /usr/share/java/postgresql.jar tests/readers/PgJdbc.java URL USER PASSWORD
//
// and prints what the driver saw, one fact a line, tab-separated:
//
//     driver    NAME  VERSION
//     table     SCHEMA  NAME  TYPE                      DatabaseMetaData.getTables
//     column    TABLE  NAME  TYPE_NAME  DECIMAL_DIGITS    DatabaseMetaData.getColumns
//     meta      LABEL  TYPE_NAME  SCALE                  ResultSetMetaData of a prepared query
//     value     LABEL  JAVA_CLASS  VALUE                 typed values (getObject)

import java.sql.*;
import java.util.Properties;

public class PgJdbc {
    static void out(Object... fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) b.append('\t');
            b.append(String.valueOf(fields[i]).replace('\t', ' ').replace('\n', ' '));
        }
        System.out.println(b);
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        props.setProperty("sslmode", "disable");
        try (Connection conn = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = conn.getMetaData();
            out("driver", md.getDriverName(), md.getDriverVersion());
            try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next()) {
                    out("table", rs.getString("TABLE_SCHEM"), rs.getString("TABLE_NAME"),
                        rs.getString("TABLE_TYPE"));
                }
            }
            try (ResultSet rs = md.getColumns(null, "public", "expenditure", "%")) {
                while (rs.next()) {
                    out("column", rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME"),
                        rs.getString("TYPE_NAME"), rs.getString("DECIMAL_DIGITS"));
                }
            }
            String sql = "SELECT func_code, func_name(func_code) AS name, total, basic, project, "
                + "fiscal_year FROM expenditure WHERE func_code = ?";
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (String code : new String[] {"2080109", "2101101"}) {
                    ps.setString(1, code);
                    try (ResultSet rs = ps.executeQuery()) {
                        ResultSetMetaData m = rs.getMetaData();
                        while (rs.next()) {
                            for (int i = 1; i <= m.getColumnCount(); i++) {
                                String label = code + "." + m.getColumnLabel(i);
                                out("meta", label, m.getColumnTypeName(i), m.getScale(i));
                                Object v = rs.getObject(i);
                                out("value", label, v == null ? "null" : v.getClass().getName(), v);
                            }
                        }
                    }
                }
            }
        }
    }
}
