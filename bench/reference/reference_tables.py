#!/usr/bin/env python3
"""Runs reference_kpis.sql (DuckDB) over the CSVs of gen_data.py and writes its three
tables as CSV, for mkpi's reference test to compare with its own values.
Usage: reference_tables.py DATA_DIR OUT_DIR   (needs: pip install duckdb)"""
import sys, pathlib
import duckdb

data, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
db = duckdb.connect()
for table in ["employees", "campaigns", "ad_stats", "orders", "web_sessions_daily"]:
    db.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv_auto('{data / (table + '.csv')}', header=true)")
db.execute((pathlib.Path(__file__).parent / "reference_kpis.sql").read_text())
for table in ["kpi_month", "kpi_employee_month", "kpi_channel_month"]:
    db.execute(f"COPY {table} TO '{out / (table + '.csv')}' (HEADER, DELIMITER ',')")
