//! What a platform export means beyond its columns (DESIGN §3a), decided line by line
//! before a line is typed: its status (lines of excluded statuses are dropped and
//! counted), its currency (one per run), its customer (a fallback for guests), and the
//! columns given once per order — a total, status or refund repeated on every line or
//! written only on the order's first line — which count once per order.
//!
//! Lines of one order follow each other in exports; the state of the order being read
//! (its [`OrderCarry`]) passes from line to line, and from one part of a file to the next
//! (see [`ExportState::can_follow_with`]).

use std::collections::BTreeMap;

use super::columns::{Canonical, ColumnMapping, ExplicitMap, normalise};
use super::dates::DayMonth;
use super::layout::{Layout, position_of};
use super::lines::{LineTyping, Overrides, RowFault};
use super::money::parse_money;
use super::rows::Fields;
use super::status::{StatusClass, StatusTable, StatusTally, TooManyValues};
use crate::error::Location;

/// How one file's lines are admitted: resolved from its header, layout and options.
#[derive(Clone, Debug, Default)]
pub struct ExportPlan {
    /// The layout recognised (or forced).
    pub layout: Option<&'static Layout>,
    /// Header index of the status column.
    pub status: Option<usize>,
    /// Header index of the refund column.
    pub refund: Option<usize>,
    /// Header index of the currency column.
    pub currency: Option<usize>,
    /// Header index of the order id column.
    pub order: Option<usize>,
    /// Header index of the customer id column.
    pub customer: usize,
    /// Header index of the date column.
    pub date: usize,
    /// Header index of the amount column.
    pub amount: Option<usize>,
    /// Columns giving the customer of a guest line.
    pub fallbacks: Vec<usize>,
    /// Customer ids that mean "a guest".
    pub guest_ids: Vec<String>,
    /// Which columns are given once per order.
    pub order_level: OrderLevel,
    /// The status classification in force.
    pub statuses: StatusTable,
    /// `--currency`: keep only lines of this currency.
    pub keep_currency: Option<String>,
    /// No status, currency, refund, guest or order-level column: lines need no admission.
    pub plain: bool,
}

/// Columns given once per order (only with an order id column).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrderLevel {
    /// The customer.
    pub customer: bool,
    /// The order date.
    pub date: bool,
    /// The amount: the order's total.
    pub amount: bool,
    /// The status.
    pub status: bool,
    /// The refunded amount.
    pub refund: bool,
    /// The currency.
    pub currency: bool,
}

impl OrderLevel {
    fn any(self) -> bool {
        self.customer || self.date || self.amount || self.status || self.refund || self.currency
    }
}

impl ExportPlan {
    /// Whether an order left open at the end of a file read with this plan continues
    /// into a file read with `next`: both give columns once per order, in the same way.
    pub fn continues_into(&self, next: &ExportPlan) -> bool {
        let same_layout = match (self.layout, next.layout) {
            (Some(a), Some(b)) => a.name == b.name,
            (None, None) => true,
            _ => false,
        };
        self.order_level.any() && same_layout && self.order_level == next.order_level
    }

    /// The plan for a file read with `mapping`, its `layout` and the status table.
    pub fn new(
        mapping: &ColumnMapping,
        layout: Option<&'static Layout>,
        user_map: &ExplicitMap,
        statuses: StatusTable,
        keep_currency: Option<String>,
    ) -> ExportPlan {
        let order = mapping.get(Canonical::OrderId);
        let refund = mapping.get(Canonical::Refund);
        // A column is given once per order when the layout says so for its own column (a
        // column the user maps instead is read per line), or, in any export with order
        // ids, when the amount column is named as an order's total.
        let level = |c: Canonical| {
            order.is_some()
                && !user_map.contains_key(&c)
                && layout.is_some_and(|l| l.is_order_level(c))
        };
        let total_named = mapping
            .get(Canonical::Amount)
            .is_some_and(|i| is_order_total_header(&mapping.header[i]));
        // A refund column is a per-order amount wherever the export has order ids: a
        // refund repeated on the lines of its order must not count twice.
        let order_level = OrderLevel {
            customer: level(Canonical::CustomerId),
            date: level(Canonical::OrderDate),
            amount: level(Canonical::Amount)
                || (order.is_some() && total_named && !user_map.contains_key(&Canonical::Amount)),
            status: level(Canonical::Status),
            refund: order.is_some() && refund.is_some(),
            currency: level(Canonical::Currency),
        };
        let (fallbacks, guest_ids) = match layout {
            Some(l) => (
                l.customer
                    .fallback
                    .iter()
                    .filter_map(|name| position_of(&mapping.header, std::slice::from_ref(name)))
                    .filter(|i| Some(*i) != mapping.get(Canonical::CustomerId))
                    .collect(),
                l.customer.guest_ids.clone(),
            ),
            None => (Vec::new(), Vec::new()),
        };
        let status = mapping.get(Canonical::Status);
        let currency = mapping.get(Canonical::Currency);
        let plain = status.is_none()
            && currency.is_none()
            && keep_currency.is_none()
            && refund.is_none()
            && fallbacks_empty(layout)
            && !order_level.any();
        ExportPlan {
            plain,
            layout,
            status,
            refund,
            currency,
            order,
            customer: mapping.get(Canonical::CustomerId).expect("required column"),
            date: mapping.get(Canonical::OrderDate).expect("required column"),
            amount: mapping.get(Canonical::Amount),
            fallbacks,
            guest_ids,
            order_level,
            statuses,
            keep_currency: keep_currency.as_deref().map(currency_given),
        }
    }
}

/// How a line without a currency is counted: as a currency of its own, so it is never
/// summed with lines of a known currency unnoticed.
pub const EMPTY_CURRENCY: &str = "(empty)";

/// Headers that name an order's total rather than a line's amount: an export with one
/// row per item repeats them on every row of the order.
const ORDER_TOTAL_HEADERS: [&str; 9] = [
    "ordertotal",
    "ordertotalamount",
    "orderamount",
    "totalorderamount",
    "ordervalue",
    "订单金额",
    "订单总额",
    "订单总金额",
    "订单总价",
];

/// Whether `header` names an order's total.
pub fn is_order_total_header(header: &str) -> bool {
    ORDER_TOTAL_HEADERS.contains(&normalise(header).as_str())
}

fn fallbacks_empty(layout: Option<&Layout>) -> bool {
    layout.is_none_or(|l| l.customer.fallback.is_empty() && l.customer.guest_ids.is_empty())
}

/// The order being read: its key and what its first lines said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderCarry {
    order: String,
    customer: String,
    date: Option<i32>,
    status: Option<(String, Option<StatusClass>)>,
    currency: Option<String>,
    /// The order's total, once counted.
    amount: Option<i64>,
    /// The order's refund, once counted.
    refund: Option<i64>,
    /// A line of the order was bad: the rest of the order is set aside too.
    rejected: bool,
}

/// What the lines of one file (or part of it) said, beyond the lines kept.
#[derive(Clone, Debug, Default)]
pub struct ExportState {
    carry: Option<OrderCarry>,
    /// The carry this part started from, and whether its first line continued it.
    inherited: Option<OrderCarry>,
    consulted: bool,
    first_order: Option<Option<String>>,
    /// Status values and their lines.
    pub statuses: StatusTally,
    /// Lines dropped by status.
    pub excluded_by_status: u64,
    /// Lines of another currency dropped by `--currency`.
    pub excluded_by_currency: u64,
    /// Lines per currency (kept or not).
    pub currencies: BTreeMap<String, u64>,
    /// The date column's day/month order and the line that decided it.
    pub date_order: Option<(DayMonth, Location)>,
    /// Dates waiting for the order: how many, and the first (value, line).
    pub pending_dates: u64,
    /// The first pending date's text and line.
    pub first_pending: Option<(String, Location)>,
    /// A status column that is not one (too many distinct values).
    pub not_a_status_column: bool,
}

/// Whether a line is kept, and with what.
pub enum Admission {
    /// Dropped (excluded by status or currency, or an unknown status: counted).
    Dropped,
    /// Kept, with values that replace or complete its cells.
    Kept(Overrides),
}

impl ExportState {
    /// Empty state for a later part of the same file, continuing from this one.
    pub fn fork(&self) -> ExportState {
        ExportState {
            carry: self.carry.clone(),
            inherited: self.carry.clone(),
            date_order: self.date_order,
            ..ExportState::default()
        }
    }

    /// The state a file starts in when the file before it ended inside an order that may
    /// continue here (a split export): that order's carry, as a later part's would be.
    pub fn continuing(open: &ExportState) -> ExportState {
        ExportState {
            carry: open.carry.clone(),
            inherited: open.carry.clone(),
            ..ExportState::default()
        }
    }

    /// Whether the first line read continued the order the previous file ended in.
    pub fn continued_previous_file(&self) -> bool {
        self.consulted && self.inherited.is_some()
    }

    /// Whether `later` (forked at some earlier point) was read from the state these
    /// lines leave: its first line continues this part's last order exactly when it
    /// thought so, from the same carry.
    pub fn can_follow_with(&self, later: &ExportState) -> bool {
        let Some(first) = &later.first_order else {
            return true;
        };
        let continues = match (&self.carry, first) {
            (Some(carry), Some(order)) => carry.order == *order,
            _ => false,
        };
        if later.consulted {
            continues && later.inherited == self.carry
        } else {
            !continues
        }
    }

    /// Add a later part: its counts, and the order it leaves open.
    pub fn join(&mut self, part: &ExportState) -> Result<(), (DayMonth, Location, Location)> {
        if part.first_order.is_some() {
            if self.first_order.is_none() {
                self.first_order = part.first_order.clone();
                self.consulted = part.consulted;
            }
            self.carry = part.carry.clone();
        }
        self.statuses.join(&part.statuses);
        self.excluded_by_status += part.excluded_by_status;
        self.excluded_by_currency += part.excluded_by_currency;
        for (currency, lines) in &part.currencies {
            *self.currencies.entry(currency.clone()).or_default() += lines;
        }
        self.pending_dates += part.pending_dates;
        if self.first_pending.is_none() {
            self.first_pending = part.first_pending.clone();
        }
        self.not_a_status_column |= part.not_a_status_column;
        match (self.date_order, part.date_order) {
            (Some((mine, at)), Some((theirs, there))) if mine != theirs => {
                return Err((mine, at, there));
            }
            (None, Some(decided)) => self.date_order = Some(decided),
            _ => {}
        }
        Ok(())
    }

    /// Decide about one line, before it is typed.
    pub fn admit(
        &mut self,
        plan: &ExportPlan,
        typing: &LineTyping,
        fields: &dyn Fields,
    ) -> Result<Admission, RowFault> {
        if plan.plain {
            // A plain export: every line is kept as it is (the common, fast case).
            return Ok(Admission::Kept(Overrides {
                date_order: self.date_order.map(|(o, _)| o),
                ..Overrides::default()
            }));
        }
        let order = match plan.order {
            Some(i) => Some(fields.get(i)?.trim()),
            None => None,
        };
        let continuing = plan.order_level.any()
            && order.is_some_and(|o| !o.is_empty())
            && self
                .carry
                .as_ref()
                .is_some_and(|c| Some(c.order.as_str()) == order);
        if self.first_order.is_none() {
            self.first_order = Some(order.map(str::to_string));
            self.consulted = continuing;
        }
        if continuing && self.carry.as_ref().is_some_and(|c| c.rejected) {
            return Err(RowFault::row(
                "an earlier line of this order is bad, and it carries the order's total or status",
                Some("fix that line; the order's lines are set aside together".into()),
            ));
        }
        if !continuing {
            self.carry = plan.order_level.any().then(|| OrderCarry {
                order: order.unwrap_or_default().to_string(),
                ..OrderCarry::default()
            });
        }
        let status = self.status_of(plan, fields, continuing)?;
        let currency = self.currency_of(plan, fields, continuing)?;
        let kept = match status {
            None => false,
            Some(StatusClass::Exclude) => false,
            Some(StatusClass::Refunded) => plan.refund.is_some(),
            Some(StatusClass::Include | StatusClass::Credit) => true,
        };
        if !kept {
            if status.is_some() {
                self.excluded_by_status += 1;
            }
            return Ok(Admission::Dropped);
        }
        // `¥` is kept with the yuan or the yen.
        if let (Some(keep), Some(currency)) = (&plan.keep_currency, &currency)
            && currency != keep
            && !(is_sign(currency) && super::money::marker_fits(currency, keep))
        {
            self.excluded_by_currency += 1;
            return Ok(Admission::Dropped);
        }
        let date = self.carried_date(plan, typing, fields, continuing)?;
        let amount = self.order_amount(plan, typing, fields, continuing)?;
        let refund = self.order_refund(plan, typing, fields, continuing)?;
        let customer = self.customer_of(plan, fields, continuing)?;
        Ok(Admission::Kept(Overrides {
            customer,
            date,
            amount,
            refund,
            date_order: self.date_order.map(|(o, _)| o),
            full_refund: status == Some(StatusClass::Refunded),
            opens_refunded_order: status == Some(StatusClass::Refunded) && !continuing,
            credit: status == Some(StatusClass::Credit),
        }))
    }

    /// A line of the current order was bad.
    pub fn reject_current(&mut self) {
        if let Some(carry) = &mut self.carry {
            carry.rejected = true;
        }
    }

    /// Count a line whose amount names its currency (`USD 12,000.00`), in an export
    /// without a currency column.
    pub fn count_marker(&mut self, marker: &'static str) {
        match self.currencies.get_mut(marker) {
            Some(lines) => *lines += 1,
            None => {
                self.currencies.insert(marker.to_string(), 1);
            }
        }
    }

    /// Note what the stored line said, for the lines of the order that follow.
    pub fn kept(&mut self, customer: impl FnOnce() -> String, date: i32) {
        if let Some(carry) = &mut self.carry {
            if carry.customer.is_empty() {
                carry.customer = customer();
            }
            carry.date.get_or_insert(date);
        }
    }

    fn status_of(
        &mut self,
        plan: &ExportPlan,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<Option<StatusClass>, RowFault> {
        let Some(i) = plan.status else {
            return Ok(Some(StatusClass::Include));
        };
        let raw = fields.get(i)?.trim();
        let carried = self.carry.as_ref().and_then(|c| c.status.clone());
        if plan.order_level.status && continuing {
            match carried {
                Some((value, class)) if raw.is_empty() || normalise(raw) == normalise(&value) => {
                    self.statuses.count_again(&value);
                    return Ok(class);
                }
                Some((value, _)) => {
                    return Err(order_fault(
                        i,
                        raw,
                        &format!("the order's status is `{value}` on an earlier line"),
                    ));
                }
                None => {}
            }
        }
        let shown = if raw.is_empty() {
            super::status::EMPTY_STATUS
        } else {
            raw
        };
        let class = match self.statuses.classify(shown, &plan.statuses) {
            Ok(class) => class,
            Err(TooManyValues) => {
                self.not_a_status_column = true;
                None
            }
        };
        if let Some(carry) = &mut self.carry {
            carry.status = Some((shown.to_string(), class));
        }
        Ok(class)
    }

    fn currency_of(
        &mut self,
        plan: &ExportPlan,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<Option<String>, RowFault> {
        let Some(i) = plan.currency else {
            // Without a currency column the amount may name one (`EUR 5,000.00`); it is
            // counted once the line is kept, and filters with --currency.
            return match (&plan.keep_currency, plan.amount) {
                (Some(_), Some(a)) => {
                    Ok(super::money::currency_marker(fields.get(a)?).map(str::to_string))
                }
                _ => Ok(None),
            };
        };
        let raw = fields.get(i)?.trim();
        let carried = self.carry.as_ref().and_then(|c| c.currency.clone());
        let currency = match carried {
            Some(c) if continuing && plan.order_level.currency && raw.is_empty() => c,
            _ if raw.is_empty() => EMPTY_CURRENCY.to_string(),
            _ => raw.to_uppercase(),
        };
        if let Some(a) = plan.amount {
            let cell = fields.get(a)?;
            if let Some(marker) = super::money::currency_marker(cell)
                && currency != EMPTY_CURRENCY
                && !super::money::marker_fits(marker, &currency)
            {
                return Err(RowFault {
                    column: Some(a),
                    value: Some(cell.to_string()),
                    reason: format!(
                        "the amount is marked {marker} and the currency column says {currency}"
                    ),
                    expected: None,
                    hint: Some("one of the two is wrong; fix the export".into()),
                });
            }
        }
        match self.currencies.get_mut(&currency) {
            Some(lines) => *lines += 1,
            None => {
                self.currencies.insert(currency.clone(), 1);
            }
        }
        if let Some(carry) = &mut self.carry {
            carry.currency = Some(currency.clone());
        }
        Ok(Some(currency))
    }

    /// The customer when the id cell is empty or a guest: the first fallback with a
    /// value, else (on a later line of the order) the order's customer.
    fn customer_of(
        &self,
        plan: &ExportPlan,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<Option<String>, RowFault> {
        let id = fields.get(plan.customer)?.trim();
        let guest = id.is_empty() || plan.guest_ids.iter().any(|g| g == id);
        let mut own = (!guest).then(|| id.to_string());
        if guest {
            for &i in &plan.fallbacks {
                let value = fields.get(i)?.trim();
                if !value.is_empty() {
                    own = Some(value.to_string());
                    break;
                }
            }
        }
        if let Some(carry) = &self.carry
            && continuing
            && plan.order_level.customer
            && !carry.customer.is_empty()
        {
            return match own {
                Some(own) if own != carry.customer => Err(order_fault(
                    plan.customer,
                    &own,
                    &format!(
                        "the order's customer is `{}` on an earlier line",
                        carry.customer
                    ),
                )),
                _ => Ok(Some(carry.customer.clone())),
            };
        }
        if own.is_none() && !id.is_empty() {
            // A guest marker (WooCommerce user 0) with no email: never one customer for
            // every such guest.
            return Err(RowFault {
                column: Some(plan.customer),
                value: Some(id.to_string()),
                reason: format!("`{id}` marks a guest, and the guest's email or phone is empty"),
                expected: None,
                hint: Some(
                    "the order cannot be given to a customer; fix the export or map customer_id"
                        .into(),
                ),
            });
        }
        Ok(if guest { own } else { None })
    }

    /// On a later line of an order whose date is given once: the order's date (the cell
    /// may be empty, or repeat it; another day is an error).
    fn carried_date(
        &self,
        plan: &ExportPlan,
        typing: &LineTyping,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<Option<i32>, RowFault> {
        if !(continuing && plan.order_level.date) {
            return Ok(None);
        }
        let Some(carried) = self.carry.as_ref().and_then(|c| c.date) else {
            return Ok(None);
        };
        let own = match fields.date(plan.date) {
            Some(day) => Some(day),
            None => {
                let text = fields.get(plan.date)?;
                if text.trim().is_empty() {
                    None
                } else {
                    let order = self.date_order.map(|(o, _)| o);
                    super::dates::parse_in_column(text, &typing.dates, order)
                        .ok()
                        .map(super::dates::Parsed::stored)
                }
            }
        };
        match own {
            Some(own) if own != carried => Err(order_fault(
                plan.date,
                fields.get(plan.date).unwrap_or_default(),
                "the order is dated differently on an earlier line",
            )),
            _ => Ok(Some(carried)),
        }
    }

    /// An order-level total: the first value of the order counts, later lines add 0 and
    /// must repeat it or leave it empty.
    fn order_amount(
        &mut self,
        plan: &ExportPlan,
        typing: &LineTyping,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<Option<i64>, RowFault> {
        let Some(i) = plan.amount.filter(|_| plan.order_level.amount) else {
            return Ok(None);
        };
        let value = order_money(i, typing, fields, !continuing)?;
        let carry = self.carry.as_mut().expect("order-level columns carry");
        once_per_order(i, value, &mut carry.amount, "total", typing, fields).map(Some)
    }

    fn order_refund(
        &mut self,
        plan: &ExportPlan,
        typing: &LineTyping,
        fields: &dyn Fields,
        continuing: bool,
    ) -> Result<i64, RowFault> {
        let Some(i) = plan.refund else {
            return Ok(0);
        };
        let value = order_money(i, typing, fields, false)?.map(i64::abs);
        if !plan.order_level.refund {
            return Ok(value.unwrap_or(0));
        }
        let carry = self.carry.as_mut().expect("order-level columns carry");
        if !continuing {
            carry.refund = None;
        }
        once_per_order(i, value, &mut carry.refund, "refund", typing, fields)
    }
}

/// A money cell that may be empty (`required`: not on an order's first line).
fn order_money(
    column: usize,
    typing: &LineTyping,
    fields: &dyn Fields,
    required: bool,
) -> Result<Option<i64>, RowFault> {
    if let Some((digits, scale)) = fields.exact(column) {
        return super::money::minor_units_of_decimal(digits, scale, typing.money.decimals)
            .map(Some)
            .map_err(|e| money_fault(column, fields.get(column).unwrap_or_default(), e.reason()));
    }
    let text = fields.get(column)?;
    if text.trim().is_empty() && !required {
        return Ok(None);
    }
    parse_money(text, typing.money)
        .map(Some)
        .map_err(|e| money_fault(column, text, e.reason()))
}

/// The contribution of one line to a value given once per order: all of it on the first
/// line that has it, nothing on the lines that repeat it.
fn once_per_order(
    column: usize,
    value: Option<i64>,
    counted: &mut Option<i64>,
    what: &str,
    typing: &LineTyping,
    fields: &dyn Fields,
) -> Result<i64, RowFault> {
    match (value, *counted) {
        (None, _) => Ok(0),
        (Some(v), None) => {
            *counted = Some(v);
            Ok(v)
        }
        (Some(v), Some(c)) if v == c => Ok(0),
        (Some(_), Some(c)) => Err(order_fault(
            column,
            fields.get(column).unwrap_or_default(),
            &format!(
                "the order's {what} is {} on an earlier line",
                super::money::format_money(c, typing.money.decimals)
            ),
        )),
    }
}

fn order_fault(column: usize, value: &str, earlier: &str) -> RowFault {
    RowFault {
        column: Some(column),
        value: Some(value.to_string()),
        reason: format!("lines of one order disagree: {earlier}"),
        expected: Some(
            "the same value on every line of the order, or empty after the first".into(),
        ),
        hint: Some("the export gives this column once per order; check the order's lines".into()),
    }
}

fn money_fault(column: usize, value: &str, reason: &str) -> RowFault {
    RowFault {
        column: Some(column),
        value: Some(value.to_string()),
        reason: reason.to_string(),
        expected: None,
        hint: None,
    }
}

/// Whether a line's currency is `¥`, the sign of both the yuan and the yen: it goes with
/// whichever of the two the run names. (`$` does not: a shop that marks some amounts
/// `USD` may mean its own dollar by `$`.)
pub(super) fn is_sign(currency: &str) -> bool {
    currency == "¥"
}

/// A currency as `--currency` gives it: a code in upper case, or `(empty)` for the lines
/// whose currency cell is empty (as the list of currencies names them).
pub(super) fn currency_given(text: &str) -> String {
    if text.trim().eq_ignore_ascii_case(EMPTY_CURRENCY) {
        EMPTY_CURRENCY.to_string()
    } else {
        text.to_uppercase()
    }
}
