//! Typing one order line: the mapped fields of a row (from CSV or Parquet) become a
//! canonical line, or a fault that names the column, the value and what was expected.
//! The typed lines accumulate column-wise into the canonical orders frame.
//!
//! Consecutive lines of the same customer, order and date are stored as one row with
//! their sums and counts (exports list an order's lines together, so this divides the
//! rows by the lines per order). Every later step works on such line groups: each sum
//! or count over lines is the sum over groups, and a group has one date, so filtering by
//! date keeps or drops whole groups exactly as it would their lines.

use std::collections::HashMap;

use polars::prelude::*;
use polars_arrow::array::MutableBinaryViewArray;

use super::columns::{Canonical, ColumnMapping};
use super::dates::{DateFormat, DayMonth, Parsed, expected_form, parse_in_column, pattern_for};
use super::money::{MoneyFormat, minor_units_of_decimal, parse_money};
use super::rows::Fields;

/// Canonical column names of the orders frame.
pub mod col_names {
    /// Customer key (String).
    pub const CUSTOMER_ID: &str = "customer_id";
    /// Order key (String); the date when the export has no order id.
    pub const ORDER_ID: &str = "order_id";
    /// Order date (Date).
    pub const ORDER_DATE: &str = "order_date";
    /// Net amount of the group's lines in minor units (Int64).
    pub const AMOUNT: &str = "amount";
    /// Sum of the group's negative amounts, as a positive number (Int64).
    pub const RETURNS: &str = "returns";
    /// Number of return lines: a negative amount, and a refund (Int32).
    pub const RETURN_LINES: &str = "return_lines";
    /// Cost of the group's lines in minor units (Int64; null when no line has a cost).
    pub const COST: &str = "cost";
    /// Number of lines in the group (Int32).
    pub const LINES: &str = "lines";
    /// Bucket of the customer id, 0..[`super::CUSTOMER_BUCKETS`] (Int32): every line of a
    /// customer is in the same bucket, so per-customer work can run bucket by bucket.
    pub const BUCKET: &str = "customer_bucket";
}

/// Why a row cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowFault {
    /// Header index of the faulty column, if one column is at fault.
    pub column: Option<usize>,
    /// The value, if one value is at fault.
    pub value: Option<String>,
    /// Short reason.
    pub reason: String,
    /// What was expected.
    pub expected: Option<String>,
    /// What to do.
    pub hint: Option<String>,
}

impl RowFault {
    /// A fault of the whole row.
    pub fn row(reason: impl Into<String>, hint: Option<String>) -> Self {
        RowFault {
            column: None,
            value: None,
            reason: reason.into(),
            expected: None,
            hint,
        }
    }
}

/// Buckets of [`col_names::BUCKET`].
pub const CUSTOMER_BUCKETS: i32 = 64;

/// Lines one group holds at most, so that its counts fit in Int32 (a line counts as up
/// to two return lines); the next line of the order starts a group of its own, which
/// every later step sums with the first.
const MAX_GROUP_LINES: i32 = i32::MAX / 2;

/// The bucket of a customer id: FNV-1a of its bytes (stable across runs and platforms).
pub(crate) fn customer_bucket(customer: &str) -> i32 {
    let hash = customer.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % CUSTOMER_BUCKETS as u64) as i32
}

/// Values the export layer decided for a line (see `export`), replacing or completing its
/// cells: a guest's customer, an order date or total given on the order's first line,
/// the refund counted once per order.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// The customer, when the id cell is empty or a guest.
    pub customer: Option<String>,
    /// The order date, when the cell is empty on a later line of the order.
    pub date: Option<i32>,
    /// The amount, when the amount is given once per order (0 on the order's later lines).
    pub amount: Option<i64>,
    /// Money refunded on the order, netted as a return (0 without a refund column).
    pub refund: i64,
    /// The day/month order of the date column, once known.
    pub date_order: Option<DayMonth>,
    /// Refunded in full (status): the whole amount is refunded, whatever a refund cell says.
    pub full_refund: bool,
    /// The first line of an order refunded in full: a return even when the order's total
    /// is 0.00 (refunded in full is never a purchase, DESIGN §3a).
    pub opens_refunded_order: bool,
    /// A credit note: the amount is a return whatever its sign.
    pub credit: bool,
}

/// A stored line's date as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredDate {
    /// The stored value: the day, or a pending key (see `dates::Parsed::stored`).
    pub value: i32,
    /// The day/month order the cell showed, if it did.
    pub decides: Option<DayMonth>,
    /// Whether the date waits for the column's order.
    pub pending: bool,
    /// The currency the amount cell named by a sign or code, if any.
    pub marker: Option<&'static str>,
}

/// How to type the fields of an order line.
#[derive(Clone, Debug)]
pub struct LineTyping {
    /// Money format.
    pub money: MoneyFormat,
    /// Date format.
    pub dates: DateFormat,
}

/// Column-wise storage of typed order lines, grouped as the module docs say.
pub struct OrderLines {
    customer: MutableBinaryViewArray<str>,
    order: MutableBinaryViewArray<str>,
    date: Vec<i32>,
    amount: Vec<i64>,
    returns: Vec<i64>,
    return_lines: Vec<i32>,
    cost: Vec<Option<i64>>,
    lines: Vec<i32>,
    bucket: Vec<i32>,
    /// Customer and order of the last group, which the next line may join.
    last_customer: String,
    last_order: String,
    has_cost: bool,
    /// Sum of absolute amounts and costs: while it fits in i64, no per-customer sum can overflow.
    magnitude: i128,
    /// The magnitude of the lines before these (see [`OrderLines::continuation`]).
    magnitude_before: i128,
    /// Order keys of exports without an order id (the day as text), written once per day.
    day_keys: HashMap<i32, String>,
}

impl Default for OrderLines {
    fn default() -> Self {
        Self {
            customer: MutableBinaryViewArray::with_capacity(1024),
            order: MutableBinaryViewArray::with_capacity(1024),
            date: Vec::new(),
            amount: Vec::new(),
            returns: Vec::new(),
            return_lines: Vec::new(),
            cost: Vec::new(),
            lines: Vec::new(),
            bucket: Vec::new(),
            last_customer: String::new(),
            last_order: String::new(),
            has_cost: false,
            magnitude: 0,
            magnitude_before: 0,
            day_keys: HashMap::new(),
        }
    }
}

impl OrderLines {
    /// Number of line groups stored.
    pub fn len(&self) -> usize {
        self.date.len()
    }

    /// Whether no line is stored.
    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    /// Empty storage for the lines that follow these, typed on their own: the overflow
    /// guard starts from the magnitude reached so far.
    pub fn continuation(&self) -> OrderLines {
        OrderLines {
            magnitude: self.magnitude,
            magnitude_before: self.magnitude,
            ..OrderLines::default()
        }
    }

    /// Whether `later`, a continuation taken at some earlier point, still passes the
    /// overflow guard when it follows these lines.
    pub fn can_follow_with(&self, later: &OrderLines) -> bool {
        self.magnitude + (later.magnitude - later.magnitude_before) <= i128::from(i64::MAX)
    }

    /// Account for `later` (checked with [`OrderLines::can_follow_with`]) following these.
    pub fn follow_with(&mut self, later: &OrderLines) {
        self.magnitude += later.magnitude - later.magnitude_before;
    }

    /// Type one row and store it (returning its date), or say why it cannot be used.
    pub fn push(
        &mut self,
        mapping: &ColumnMapping,
        typing: &LineTyping,
        fields: &dyn Fields,
        overrides: &Overrides,
    ) -> Result<StoredDate, RowFault> {
        let field = |i: usize| fields.get(i);
        let get = |c: Canonical| mapping.get(c).map(|i| field(i).map(|v| (i, v))).transpose();
        let (ci, customer) = get(Canonical::CustomerId)?.expect("required column");
        let customer = overrides.customer.as_deref().unwrap_or(customer).trim();
        if customer.is_empty() {
            return Err(fault(ci, "", "empty customer id", None, None));
        }
        check_id(ci, customer, "customer id")?;
        let di = mapping.get(Canonical::OrderDate).expect("required column");
        let stored = match (overrides.date, fields.date(di)) {
            (Some(date), _) | (None, Some(date)) => StoredDate {
                value: date,
                decides: None,
                pending: false,
                marker: None,
            },
            (None, None) => {
                let text = field(di)?;
                let parsed = parse_in_column(text, &typing.dates, overrides.date_order)
                    .map_err(|e| date_fault(di, text, e, &typing.dates))?;
                StoredDate {
                    value: parsed.stored(),
                    decides: match parsed {
                        Parsed::Decides(_, order) => Some(order),
                        _ => None,
                    },
                    pending: matches!(parsed, Parsed::Pending { .. }),
                    marker: None,
                }
            }
        };
        let mut stored = stored;
        let date = stored.value;
        let (ai, amount) = match (overrides.amount, mapping.get(Canonical::Amount)) {
            (Some(amount), Some(i)) => (i, amount),
            (_, Some(i)) => (i, self.money(i, fields, typing)?),
            (_, None) => self.priced_amount(mapping, typing, &field)?,
        };
        if fields.exact(ai).is_none() {
            stored.marker = super::money::currency_marker(field(ai)?);
        }
        let amount = if overrides.credit {
            -amount.abs()
        } else {
            amount
        };
        // A refund nets as a return line of the order (DESIGN §3a).
        let refund = if overrides.full_refund {
            amount.max(0)
        } else {
            overrides.refund
        };
        if refund > 0 && amount >= 0 && refund > amount && overrides.amount != Some(0) {
            return Err(fault(
                ai,
                field(ai)?,
                &format!(
                    "the refund {} is more than the amount",
                    super::money::format_money(refund, typing.money.decimals)
                ),
                None,
                Some("check the refund and the amount of this order".into()),
            ));
        }
        let amount = amount - refund;
        let cost = match mapping.get(Canonical::Cost) {
            Some(i) => self.optional_money(i, fields, typing)?,
            None => None,
        };
        let order = match get(Canonical::OrderId)? {
            Some((i, text)) => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(fault(i, "", "empty order id", None, None));
                }
                check_id(i, text, "order id")?;
                Some(text)
            }
            None => None,
        };
        let magnitude = self.magnitude
            + i128::from(amount).abs()
            + i128::from(refund)
            + cost.map_or(0, |c| i128::from(c).abs());
        if magnitude > i128::from(i64::MAX) {
            return Err(fault(
                ai,
                field(ai)?,
                "amounts add up to more than 64-bit minor units can hold",
                None,
                Some("split the input, or check the amount column for corrupt values".into()),
            ));
        }
        self.magnitude = magnitude;
        self.has_cost |= mapping.get(Canonical::Cost).is_some();
        let order = match order {
            Some(order) => order,
            // One order per customer per day: the day itself is the order key.
            // A pending date gets a key of its own; it is rewritten once resolved.
            None => self
                .day_keys
                .entry(date)
                .or_insert_with(|| super::dates::format_date(date)),
        };
        let line = amount + refund;
        let returned = if line < 0 { -line } else { 0 } + refund;
        let return_lines =
            i32::from(line < 0) + i32::from(refund > 0 || overrides.opens_refunded_order);
        let last = self.date.len().wrapping_sub(1);
        if self.date.last() == Some(&date)
            && self.last_customer == customer
            && self.last_order == order
            && self.lines[last] < MAX_GROUP_LINES
        {
            // The magnitude guard above keeps these sums within i64.
            self.amount[last] += amount;
            self.returns[last] += returned;
            self.return_lines[last] += return_lines;
            if let Some(cost) = cost {
                self.cost[last] = Some(self.cost[last].unwrap_or(0) + cost);
            }
            self.lines[last] += 1;
            return Ok(stored);
        }
        self.customer.push_value(customer);
        self.order.push_value(order);
        self.last_customer.clear();
        self.last_customer.push_str(customer);
        self.last_order.clear();
        self.last_order.push_str(order);
        self.date.push(date);
        self.amount.push(amount);
        self.returns.push(returned);
        self.return_lines.push(return_lines);
        self.cost.push(cost);
        self.lines.push(1);
        self.bucket.push(customer_bucket(customer));
        Ok(stored)
    }

    /// Field `column` in minor units: typed numbers as they are, text through the money parser.
    fn money(
        &self,
        column: usize,
        fields: &dyn Fields,
        typing: &LineTyping,
    ) -> Result<i64, RowFault> {
        let Some((digits, scale)) = fields.exact(column) else {
            return self.money_text(column, fields.get(column)?, typing);
        };
        minor_units_of_decimal(digits, scale, typing.money.decimals).map_err(|e| {
            fault(
                column,
                fields.get(column).unwrap_or_default(),
                e.reason(),
                None,
                e.hint(typing.money),
            )
        })
    }

    /// Like [`OrderLines::money`], where an empty field means "not given".
    fn optional_money(
        &self,
        column: usize,
        fields: &dyn Fields,
        typing: &LineTyping,
    ) -> Result<Option<i64>, RowFault> {
        if fields.exact(column).is_none() && fields.get(column)?.trim().is_empty() {
            return Ok(None);
        }
        self.money(column, fields, typing).map(Some)
    }

    fn money_text(&self, column: usize, text: &str, typing: &LineTyping) -> Result<i64, RowFault> {
        parse_money(text, typing.money).map_err(|e| {
            fault(
                column,
                text,
                e.reason(),
                Some(money_expected(typing.money)),
                e.hint(typing.money),
            )
        })
    }

    /// quantity × unit_price, rounded half away from zero to the currency's minor unit.
    /// Quantities may have 3 decimals and prices 4 more than the currency.
    fn priced_amount<'a>(
        &self,
        mapping: &ColumnMapping,
        typing: &LineTyping,
        field: &impl Fn(usize) -> Result<&'a str, RowFault>,
    ) -> Result<(usize, i64), RowFault> {
        const QUANTITY_DECIMALS: u32 = 3;
        const PRICE_EXTRA_DECIMALS: u32 = 4;
        let qi = mapping
            .get(Canonical::Quantity)
            .expect("checked at the header");
        let pi = mapping
            .get(Canonical::UnitPrice)
            .expect("checked at the header");
        let (quantity_text, price_text) = (field(qi)?, field(pi)?);
        let quantity_format = MoneyFormat {
            decimals: QUANTITY_DECIMALS,
            ..typing.money
        };
        let quantity = parse_money(quantity_text, quantity_format).map_err(|e| {
            fault(
                qi,
                quantity_text,
                e.reason(),
                Some("a quantity like 3 or 1.5".into()),
                None,
            )
        })?;
        let price_format = MoneyFormat {
            decimals: typing.money.decimals + PRICE_EXTRA_DECIMALS,
            ..typing.money
        };
        let price = parse_money(price_text, price_format).map_err(|e| {
            fault(
                pi,
                price_text,
                e.reason(),
                Some(money_expected(typing.money)),
                e.hint(typing.money),
            )
        })?;
        let divisor = 10i128.pow(QUANTITY_DECIMALS + PRICE_EXTRA_DECIMALS);
        let product = i128::from(quantity) * i128::from(price);
        let rounded = (product.abs() * 2 + divisor) / (2 * divisor) * product.signum();
        let amount = i64::try_from(rounded).map_err(|_| {
            fault(
                pi,
                price_text,
                "quantity × unit price out of range",
                None,
                None,
            )
        })?;
        Ok((pi, amount))
    }

    /// The canonical orders frame: customer_id, order_id, order_date, amount, returns,
    /// return_lines, cost, lines, customer_bucket.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let height = self.date.len();
        // Vectors grown by doubling hold up to twice their length; the frame keeps them.
        let int = |name: &str, mut values: Vec<i64>| {
            values.shrink_to_fit();
            Int64Chunked::from_vec(name.into(), values).into_column()
        };
        let ids = |name: &str, values: MutableBinaryViewArray<str>| {
            StringChunked::with_chunk(name.into(), crate::memory::without_spare_views(values))
                .into_column()
        };
        let counts = |name: &str, mut values: Vec<i32>| {
            values.shrink_to_fit();
            Int32Chunked::from_vec(name.into(), values).into_column()
        };
        let mut dates = self.date;
        dates.shrink_to_fit();
        let mut buckets = self.bucket;
        buckets.shrink_to_fit();
        let date = Int32Chunked::from_vec(col_names::ORDER_DATE.into(), dates)
            .into_date()
            .into_column();
        let cost = if self.has_cost {
            Int64Chunked::from_iter_options(col_names::COST.into(), self.cost.into_iter())
        } else {
            Int64Chunked::full_null(col_names::COST.into(), height)
        };
        DataFrame::new(
            height,
            vec![
                ids(col_names::CUSTOMER_ID, self.customer),
                ids(col_names::ORDER_ID, self.order),
                date,
                int(col_names::AMOUNT, self.amount),
                int(col_names::RETURNS, self.returns),
                counts(col_names::RETURN_LINES, self.return_lines),
                cost.into_column(),
                counts(col_names::LINES, self.lines),
                Int32Chunked::from_vec(col_names::BUCKET.into(), buckets).into_column(),
            ],
        )
    }
}

/// Order lines counted in the groups of `lines` (a frame of [`OrderLines::finish`]).
pub fn line_count(lines: &DataFrame) -> PolarsResult<u64> {
    Ok(lines
        .column(col_names::LINES)?
        .i32()?
        .into_no_null_iter()
        .map(|n| n as u64)
        .sum())
}

/// An id with a control character (NUL, a tab inside, ...) is refused, not cleaned:
/// `B\0` and `B` would be two customers that print alike.
pub fn check_id(column: usize, id: &str, what: &str) -> Result<(), RowFault> {
    // Control characters are below 0x20, 0x7F, or U+0080–U+009F (0xC2 0x80–0x9F in
    // UTF-8): most ids have none of those bytes and skip the scan by characters.
    if !id.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2) {
        return Ok(());
    }
    match id.char_indices().find(|(_, c)| c.is_control()) {
        None => Ok(()),
        Some((at, c)) => Err(fault(
            column,
            &id.escape_debug().to_string(),
            &format!(
                "{what} holds the control character U+{:04X} at byte {}",
                u32::from(c),
                at + 1
            ),
            None,
            Some("fix the export: ids must be printable text".into()),
        )),
    }
}

fn date_fault(
    column: usize,
    text: &str,
    error: super::dates::DateError,
    format: &DateFormat,
) -> RowFault {
    let hint = match error {
        super::dates::DateError::Contradicts(order) => Some(format!(
            "check the value; if the column really is {}, say so with --date-format '{}'",
            match order {
                DayMonth::DayFirst => "month-first",
                DayMonth::MonthFirst => "day-first",
            },
            pattern_for(
                text,
                match order {
                    DayMonth::DayFirst => DayMonth::MonthFirst,
                    DayMonth::MonthFirst => DayMonth::DayFirst,
                }
            )
        )),
        super::dates::DateError::Ambiguous => Some(format!(
            "say which it is with --date-format '{}' (day first) or --date-format '{}' (month first)",
            pattern_for(text, DayMonth::DayFirst),
            pattern_for(text, DayMonth::MonthFirst)
        )),
        _ => error.hint(format),
    };
    fault(
        column,
        text,
        error.reason(),
        Some(expected_form(format)),
        hint,
    )
}

fn fault(
    column: usize,
    value: &str,
    reason: &str,
    expected: Option<String>,
    hint: Option<String>,
) -> RowFault {
    RowFault {
        column: Some(column),
        value: Some(value.to_string()),
        reason: reason.to_string(),
        expected,
        hint,
    }
}

fn money_expected(format: MoneyFormat) -> String {
    if format.decimal_comma {
        "an amount like 1234,50, 1.234,50 or -1.234,50 €".into()
    } else {
        "an amount like 1234.50, 1,234.50, ¥1,234.50 or (12.00)".into()
    }
}
