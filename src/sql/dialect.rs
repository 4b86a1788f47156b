//! What differs between the SQL engines `tiering sql` writes for: types, date
//! differences, integer division, byte-order string comparison, quoting.

use clap::ValueEnum;

/// A SQL engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Dialect {
    /// DuckDB (`duckdb < score.sql`).
    Duckdb,
    /// PostgreSQL (`psql -f score.sql`).
    Postgres,
    /// Spark SQL (`spark-sql -f score.sql`, or `spark.sql(...)` per statement).
    Spark,
}

impl Dialect {
    /// The text type.
    pub fn text(self) -> &'static str {
        match self {
            Dialect::Duckdb => "VARCHAR",
            Dialect::Postgres => "TEXT",
            Dialect::Spark => "STRING",
        }
    }

    /// Days from date `from` to date `to`, as an integer.
    pub fn days_between(self, from: &str, to: &str) -> String {
        match self {
            Dialect::Duckdb => format!("date_diff('day', {from}, {to})"),
            Dialect::Postgres => format!("({to} - {from})"),
            Dialect::Spark => format!("datediff({to}, {from})"),
        }
    }

    /// Integer division of non-negative integers.
    pub fn div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Duckdb => format!("({a} // {b})"),
            Dialect::Postgres => format!("({a} / {b})"),
            Dialect::Spark => format!("({a} div {b})"),
        }
    }

    /// a / b rounded half to even, for a ≥ 0 and b > 0, with `div` (`Dialect::div`, or
    /// `Dialect::wide_div` for `wide_int` operands).
    pub fn half_even(self, a: &str, b: &str, div: fn(Dialect, &str, &str) -> String) -> String {
        let q = div(self, a, b);
        let twice_rest = format!("2 * ({a} - {q} * {b})");
        format!(
            "({q} + CASE WHEN {twice_rest} > {b} OR ({twice_rest} = {b} AND {q} % 2 = 1) THEN 1 ELSE 0 END)"
        )
    }

    /// a / b rounded half away from zero, for b > 0, with `div` as for `half_even`.
    pub fn half_away(self, a: &str, b: &str, div: fn(Dialect, &str, &str) -> String) -> String {
        let magnitude = |n: &str| div(self, &format!("(2 * {n} + {b})"), &format!("(2 * {b})"));
        format!(
            "CASE WHEN {a} >= 0 THEN {} ELSE -{} END",
            magnitude(a),
            magnitude(&format!("(-{a})"))
        )
    }

    /// An exact integer type wider than 64 bits, for products that may not fit BIGINT.
    pub fn wide_int(self) -> &'static str {
        match self {
            Dialect::Duckdb => "HUGEINT",
            Dialect::Postgres => "NUMERIC(38, 0)",
            Dialect::Spark => "DECIMAL(38, 0)",
        }
    }

    /// Integer division of non-negative values of `wide_int`.
    pub fn wide_div(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Duckdb => format!("({a} // {b})"),
            // `/` on NUMERIC keeps the fraction.
            Dialect::Postgres => format!("div({a}, {b})"),
            Dialect::Spark => format!("({a} div {b})"),
        }
    }

    /// `expr` as a sort key in byte order (DESIGN §5: ties by customer_id, byte order).
    pub fn bytewise(self, expr: &str) -> String {
        match self {
            // DuckDB compares strings bytewise unless a collation is set; Spark always does.
            Dialect::Duckdb | Dialect::Spark => expr.to_string(),
            Dialect::Postgres => format!("{expr} COLLATE \"C\""),
        }
    }

    /// A quoted identifier.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::Duckdb | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// A string literal.
    pub fn string(self, text: &str) -> String {
        match self {
            Dialect::Duckdb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            // Spark reads backslash escapes; two quotes in a row would end one literal and
            // start another.
            Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// `part / whole` as a float rounded to 6 decimals (`whole` is not 0).
    pub fn share(self, part: &str, whole: &str) -> String {
        match self {
            Dialect::Duckdb | Dialect::Spark => {
                format!("round(CAST({part} AS DOUBLE) / CAST({whole} AS DOUBLE), 6)")
            }
            Dialect::Postgres => {
                format!("CAST(round(CAST({part} AS NUMERIC) / {whole}, 6) AS DOUBLE PRECISION)")
            }
        }
    }

    /// The double-precision float type.
    pub fn double(self) -> &'static str {
        match self {
            Dialect::Duckdb | Dialect::Spark => "DOUBLE",
            Dialect::Postgres => "DOUBLE PRECISION",
        }
    }

    /// The date `days` days before date `date`.
    pub fn days_before(self, date: &str, days: u32) -> String {
        match self {
            Dialect::Duckdb => format!("CAST({date} - INTERVAL {days} DAY AS DATE)"),
            Dialect::Postgres => format!("CAST({date} - INTERVAL '{days} days' AS DATE)"),
            Dialect::Spark => format!("date_sub({date}, {days})"),
        }
    }

    /// The date `months` calendar months before date `date`, clamped to the month's last
    /// day (31 March − 1 month = 28/29 February), as chrono does.
    pub fn months_before(self, date: &str, months: u32) -> String {
        match self {
            Dialect::Duckdb => format!("CAST({date} - INTERVAL {months} MONTH AS DATE)"),
            Dialect::Postgres => format!("CAST({date} - INTERVAL '{months} months' AS DATE)"),
            Dialect::Spark => format!("add_months({date}, -{months})"),
        }
    }

    /// A date literal.
    pub fn date(self, iso: &str) -> String {
        format!("DATE '{iso}'")
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect;

    #[test]
    fn string_literals_escape_per_engine() {
        assert_eq!(Dialect::Duckdb.string("Can't"), "'Can''t'");
        assert_eq!(Dialect::Postgres.string("Can't"), "'Can''t'");
        assert_eq!(Dialect::Spark.string("Can't \\"), "'Can\\'t \\\\'");
    }
}
