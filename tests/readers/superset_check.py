#!/usr/bin/env python3
"""Connects Apache Superset to a running `yusuan serve` the way Superset's "Connect a
database" and dataset pages do, and prints what Superset sees: the schemas, the views and
tables, and the columns of each view with the types Superset gives them. Not run by
`cargo test` (Superset is large); run it by hand in a scratch environment:

    python3 -m venv /tmp/superset-venv
    /tmp/superset-venv/bin/pip install apache-superset psycopg2-binary
    /tmp/superset-venv/bin/python tests/readers/superset_check.py \\
        'postgresql+psycopg2://USER:PASSWORD@127.0.0.1:5433/yusuan?sslmode=disable'

It uses Superset's own `Database` model and PostgreSQL engine spec (the code behind the
"Test connection" button, the schema and table pickers and dataset creation), with a
throwaway SQLite metadata database. Exit status 1 if a view is missing or has no columns.
"""

import os
import sys
import tempfile

VIEWS = ["facts", "expenditure", "basic_by_econ", "projects", "three_public"]


def main():
    uri = sys.argv[1]
    home = tempfile.mkdtemp(prefix="superset-home-")
    config = os.path.join(home, "superset_config.py")
    with open(config, "w") as f:
        f.write(
            "SECRET_KEY = 'yusuan-superset-check-not-a-secret-0123456789'\n"
            f"SQLALCHEMY_DATABASE_URI = 'sqlite:///{home}/superset.db'\n"
        )
    os.environ["SUPERSET_CONFIG_PATH"] = config
    os.environ["SUPERSET_HOME"] = home

    import superset
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset.models.core import Database
        try:
            from superset.sql.parse import Table  # Superset 5 and later
        except ImportError:
            from superset.sql_parse import Table

        print(f"superset\t{superset.__version__ if hasattr(superset, '__version__') else '?'}")
        db = Database(database_name="yusuan", sqlalchemy_uri=uri)
        # "Test connection": Superset opens a connection and runs its ping.
        with db.get_sqla_engine() as engine:
            with engine.connect() as conn:
                from sqlalchemy import text

                one = conn.execute(text("SELECT 1")).scalar()
                print(f"ping\t{one}")
        schemas = sorted(db.get_all_schema_names(catalog=None))
        print("schemas\t" + ",".join(schemas))
        views = sorted(v.table if hasattr(v, "table") else v[0]
                       for v in db.get_all_view_names_in_schema(catalog=None, schema="public"))
        tables = sorted(t.table if hasattr(t, "table") else t[0]
                        for t in db.get_all_table_names_in_schema(catalog=None, schema="public"))
        print("views\t" + ",".join(views))
        print("tables\t" + ",".join(tables))
        failed = False
        for name in VIEWS:
            if name not in views and name not in tables:
                print(f"MISSING\t{name}")
                failed = True
                continue
            columns = db.get_columns(Table(name, "public"))
            if not columns:
                print(f"NO COLUMNS\t{name}")
                failed = True
            for col in columns:
                print(f"column\t{name}\t{col['column_name'] if 'column_name' in col else col['name']}\t{col['type']}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
