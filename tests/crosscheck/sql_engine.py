"""Run `tiering sql` scripts on a real engine and print each result as CSV.

usage: sql_engine.py duckdb|postgres|spark OUTDIR SCRIPT...

Writes OUTDIR/<script name>.csv per script: the header, then the rows; NULL is empty,
booleans true/false, decimals with their scale, dates ISO. PostgreSQL runs on a throwaway
cluster (initdb as the postgres user, loopback only, trust auth) started here and stopped
after; Spark runs in local mode, one session for all scripts.
"""

import csv
import datetime
import decimal
import os
import shutil
import subprocess
import sys
import tempfile


def cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()[:10]
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def write(path, header, rows):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([cell(v) for v in row])


def run_duckdb(scripts, outdir):
    import duckdb

    for script in scripts:
        con = duckdb.connect()
        result = con.execute(open(script, encoding="utf-8").read())
        header = [d[0] for d in result.description]
        write(out_path(outdir, script), header, result.fetchall())


def run_spark(scripts, outdir):
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("tiering-sql-check")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for script in scripts:
        text = open(script, encoding="utf-8").read()
        statements = [s for s in split_statements(text) if s.strip()]
        frame = None
        for statement in statements:
            frame = spark.sql(statement)
        rows = frame.collect()
        write(out_path(outdir, script), frame.columns, [list(r) for r in rows])
    spark.stop()


def split_statements(text):
    """Statements end with `;` at a line's end; comment lines are dropped."""
    lines = [l for l in text.splitlines() if not l.startswith("--")]
    statements, current = [], []
    for line in lines:
        current.append(line)
        if line.rstrip().endswith(";"):
            statements.append("\n".join(current).rstrip().rstrip(";"))
            current = []
    if "".join(current).strip():
        statements.append("\n".join(current))
    return statements


def run_postgres(scripts, outdir):
    bindir = sorted(
        os.path.join("/usr/lib/postgresql", v, "bin") for v in os.listdir("/usr/lib/postgresql")
    )[-1]
    data = tempfile.mkdtemp(prefix="tiering-pg-")
    # PostgreSQL refuses to run as root: as root, the cluster belongs to `postgres`.
    as_postgres = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = "54329"
    subprocess.run(
        as_postgres + [f"{bindir}/initdb", "-D", f"{data}/db", "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        as_postgres + [f"{bindir}/pg_ctl", "-D", f"{data}/db", "-w", "-l", f"{data}/log",
                       "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {data}", "start"],
        check=True,
        capture_output=True,
    )
    try:
        for script in scripts:
            result = subprocess.run(
                ["psql", "-X", "-q", "--csv", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", port,
                 "-U", "postgres", "-d", "postgres", "-f", script],
                capture_output=True,
                text=True,
            )
            if result.returncode != 0:
                sys.exit(f"psql failed on {script}: {result.stderr}")
            reader = list(csv.reader(result.stdout.splitlines()))
            header, rows = reader[0], reader[1:]
            rows = [[{"t": "true", "f": "false"}.get(v, v) for v in row] for row in rows]
            write(out_path(outdir, script), header, rows)
    finally:
        subprocess.run(as_postgres + [f"{bindir}/pg_ctl", "-D", f"{data}/db", "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


def out_path(outdir, script):
    return os.path.join(outdir, os.path.basename(script) + ".csv")


def main():
    engine, outdir, scripts = sys.argv[1], sys.argv[2], sys.argv[3:]
    {"duckdb": run_duckdb, "postgres": run_postgres, "spark": run_spark}[engine](scripts, outdir)


if __name__ == "__main__":
    main()
