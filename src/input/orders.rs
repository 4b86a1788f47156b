//! The visitor that turns the rows of order files into line groups: it resolves each
//! file's mapping and layout from its header, lets the export layer admit or drop each
//! row (statuses, currencies, guests, order-level columns), types the rest, and at the
//! end of a file settles what only the whole file can decide (the date column's
//! day/month order, unknown statuses).

use polars::prelude::*;

use super::InputOptions;
use super::columns::{self, Canonical, ColumnMapping, ExplicitMap};
use super::date_facts::{DateFacts, DatedLine};
use super::dates::{DayMonth, PENDING_FLOOR, pattern_for, resolve_pending};
use super::export::{Admission, ExportPlan, ExportState};
use super::layout::{Layout, recognise};
use super::lines::col_names::{ORDER_DATE, ORDER_ID};
use super::lines::{LineTyping, OrderLines, RowFault};
use super::rows::{Fields, ForkingVisitor, RowVisitor};
use super::source::InputFile;
use super::status::{StatusTable, not_a_status_column};
use crate::error::{Location, TieringError};

/// What one file's lines said beyond the lines kept: its layout, statuses, currencies.
#[derive(Clone, Debug, Default)]
pub struct FileExport {
    /// The layout it was read as.
    pub layout: Option<&'static Layout>,
    /// The state at the end of the file: status and currency tallies, exclusions.
    pub state: ExportState,
    /// The date column's day/month order, when the file needed one.
    pub date_order: Option<DayMonth>,
    /// Whether the amount is the order's total, counted once per order.
    pub total_per_order: bool,
    /// Whether the refund was counted once per order.
    pub refund_per_order: bool,
}

impl FileExport {
    /// Whether a total or refund was counted once per order.
    pub fn once_per_order(&self) -> bool {
        self.total_per_order || self.refund_per_order
    }
}

pub(super) struct OrdersVisitor<'a> {
    pub options: &'a InputOptions,
    /// Lines being typed.
    pub lines: OrderLines,
    /// Lines typed before them, in file order.
    pub parts: Vec<DataFrame>,
    pub mapping: ColumnMapping,
    /// Index of the file being read.
    pub file: usize,
    pub dates: DateFacts,
    /// How this file's lines are admitted.
    pub plan: ExportPlan,
    /// The typing of this file (a layout may switch to decimal commas).
    pub typing: LineTyping,
    /// What its lines said so far.
    pub export: ExportState,
    /// The file's name, for errors found while joining parts.
    pub display: String,
    /// A join that found the date column both day-first and month-first.
    pub conflict: Option<TieringError>,
    /// The plan and state the previous file ended with: its last order may continue at
    /// the start of this one (split exports).
    pub previous_file: Option<(ExportPlan, ExportState)>,
}

impl<'a> OrdersVisitor<'a> {
    pub fn new(options: &'a InputOptions, today: i32) -> Self {
        OrdersVisitor {
            options,
            lines: OrderLines::default(),
            parts: Vec::new(),
            mapping: ColumnMapping::default(),
            file: 0,
            dates: DateFacts::new(today),
            plan: ExportPlan::default(),
            typing: options.typing.clone(),
            export: ExportState::default(),
            display: String::new(),
            conflict: None,
            previous_file: None,
        }
    }

    /// Line groups finished so far.
    pub fn height(&self) -> usize {
        self.parts.iter().map(DataFrame::height).sum()
    }

    pub fn flush(&mut self) -> PolarsResult<()> {
        if !self.lines.is_empty() {
            let next = self.lines.continuation();
            let lines = std::mem::replace(&mut self.lines, next);
            self.parts.push(lines.finish()?);
        }
        Ok(())
    }

    /// All lines in file order. The parts stay separate chunks: the group-bys read
    /// chunked columns as they are, and copying them into one would double the memory.
    pub fn finish(mut self) -> PolarsResult<DataFrame> {
        self.flush()?;
        let mut parts = self.parts.into_iter();
        let Some(mut all) = parts.next() else {
            return OrderLines::default().finish();
        };
        for part in parts {
            all.vstack_mut_owned(part)?;
        }
        Ok(all)
    }

    /// Settle the file just read (its parts from `first_part` on): dates waiting for the
    /// column's day/month order, statuses no list knows. Returns what the file said.
    pub fn end_file(&mut self, first_part: usize) -> anyhow::Result<FileExport> {
        self.flush()?;
        if let Some(conflict) = self.conflict.take() {
            return Err(conflict.into());
        }
        let header = &self.mapping.header;
        if let Some(i) = self.plan.status {
            if self.export.not_a_status_column {
                return Err(not_a_status_column(&self.display, &header[i]).into());
            }
            if let Some(error) = self
                .export
                .statuses
                .unknown_error(&self.display, &header[i])
            {
                return Err(error.into());
            }
        }
        let order = self.export.date_order.map(|(o, _)| o);
        if self.export.pending_dates > 0 {
            let Some(order) = order else {
                return Err(self.ambiguous_dates().into());
            };
            let no_order_id = self.plan.order.is_none();
            for part in &mut self.parts[first_part..] {
                let max = resolve_part(part, order, no_order_id)?;
                if let Some(date) = max {
                    self.dates.see_resolved(date, self.file);
                }
            }
        }
        let export = std::mem::take(&mut self.export);
        self.previous_file = Some((self.plan.clone(), ExportState::continuing(&export)));
        Ok(FileExport {
            layout: self.plan.layout,
            state: export,
            date_order: order,
            total_per_order: self.plan.order_level.amount,
            refund_per_order: self.plan.order_level.refund,
        })
    }

    fn ambiguous_dates(&self) -> TieringError {
        let column = &self.mapping.header[self.plan.date];
        let (sample, location) = self
            .export
            .first_pending
            .clone()
            .unwrap_or_else(|| (String::new(), Location::Line(0)));
        TieringError::AmbiguousDates {
            message: format!(
                "`{}` column `{column}`: day and month order cannot be told apart: in all {} dates both fields are 12 or less (e.g. `{sample}`, {location})",
                self.display, self.export.pending_dates
            ),
            hint: format!(
                "say which it is: --date-format '{}' (day first) or --date-format '{}' (month first)",
                pattern_for(&sample, DayMonth::DayFirst),
                pattern_for(&sample, DayMonth::MonthFirst)
            ),
        }
    }

    /// The export layer for a header: layout, mapping, plan.
    fn plan_for(
        &self,
        file: &InputFile,
        header: &[String],
    ) -> Result<(ColumnMapping, ExportPlan, LineTyping), TieringError> {
        let layout = recognise(header, &self.options.layout)?;
        let mut explicit: ExplicitMap = layout.map(|l| l.explicit_map(header)).unwrap_or_default();
        // An explicit --map always wins over the layout (`--map amount=` unsets).
        explicit.extend(self.options.columns.clone());
        let mut wanted: Vec<Canonical> = Canonical::ALL.to_vec();
        if layout.is_some() {
            // A layout names its own columns; detection only adds a cost column.
            wanted.retain(|c| explicit.contains_key(c) || *c == Canonical::Cost);
        }
        let mapping = columns::detect(
            &file.display,
            header,
            &explicit,
            &[Canonical::CustomerId, Canonical::OrderDate],
            &wanted,
        )?;
        let priced = mapping.get(Canonical::Quantity).is_some()
            && mapping.get(Canonical::UnitPrice).is_some();
        if mapping.get(Canonical::Amount).is_none() && !priced {
            // Report the missing amount the usual way (found columns, nearest name).
            columns::detect(
                &file.display,
                header,
                &explicit,
                &[Canonical::Amount],
                &wanted,
            )?;
        }
        let mut lists = Vec::new();
        if let Some(layout) = layout {
            lists.push(&layout.statuses);
        }
        lists.push(&self.options.statuses);
        let plan = ExportPlan::new(
            &mapping,
            layout,
            &self.options.columns,
            StatusTable::with(&lists),
            self.options.keep_currency.clone(),
        );
        let mut typing = self.options.typing.clone();
        if layout.is_some_and(|l| l.decimal_comma) {
            typing.money.decimal_comma = true;
        }
        Ok((mapping, plan, typing))
    }
}

/// Resolve the pending dates of one part in `order`; the latest date resolved.
fn resolve_part(
    part: &mut DataFrame,
    order: DayMonth,
    no_order_id: bool,
) -> anyhow::Result<Option<i32>> {
    let dates = part.column(ORDER_DATE)?.date()?.physical().clone();
    if dates.min().is_none_or(|min| min > PENDING_FLOOR) {
        return Ok(None);
    }
    let mut latest: Option<i32> = None;
    let mut resolved = Vec::with_capacity(dates.len());
    for value in dates.into_no_null_iter() {
        let day = if value <= PENDING_FLOOR {
            let day = resolve_pending(value, order)
                .map_err(|e| anyhow::anyhow!("a date is {}", e.reason()))?;
            latest = Some(latest.map_or(day, |l| l.max(day)));
            day
        } else {
            value
        };
        resolved.push(day);
    }
    let column = Int32Chunked::from_vec(ORDER_DATE.into(), resolved)
        .into_date()
        .into_column();
    part.with_column(column)?;
    if no_order_id {
        // Without an order id the day is the order key; it was written while pending.
        let keys = part
            .column(ORDER_DATE)?
            .cast(&DataType::String)?
            .with_name(ORDER_ID.into());
        part.with_column(keys)?;
    }
    Ok(latest)
}

impl ForkingVisitor for OrdersVisitor<'_> {
    fn fork(&self) -> Self {
        OrdersVisitor {
            options: self.options,
            lines: self.lines.continuation(),
            parts: Vec::new(),
            mapping: self.mapping.clone(),
            file: self.file,
            dates: self.dates.fork(),
            plan: self.plan.clone(),
            typing: self.typing.clone(),
            export: self.export.fork(),
            display: self.display.clone(),
            conflict: None,
            previous_file: None,
        }
    }

    fn can_join(&self, part: &Self) -> bool {
        self.lines.can_follow_with(&part.lines) && self.export.can_follow_with(&part.export)
    }

    fn join(&mut self, mut part: Self) -> anyhow::Result<()> {
        self.flush()?;
        self.lines.follow_with(&part.lines);
        self.dates.join(&part.dates);
        if let Err((mine, at, there)) = self.export.join(&part.export)
            && self.conflict.is_none()
        {
            let column = &self.mapping.header[self.plan.date];
            let name = |o: DayMonth| match o {
                DayMonth::DayFirst => "day-first",
                DayMonth::MonthFirst => "month-first",
            };
            let theirs = match mine {
                DayMonth::DayFirst => DayMonth::MonthFirst,
                DayMonth::MonthFirst => DayMonth::DayFirst,
            };
            self.conflict = Some(TieringError::Conflict {
                message: format!(
                    "`{}` column `{column}` is {} at {at} and {} at {there}",
                    self.display,
                    name(mine),
                    name(theirs)
                ),
                hint: Some("check those dates, or say the order with --date-format".into()),
            });
        }
        part.flush()?;
        self.parts.extend(part.parts);
        Ok(())
    }
}

impl RowVisitor for OrdersVisitor<'_> {
    fn header(&mut self, file: &InputFile, header: &[String]) -> Result<(), TieringError> {
        let (mapping, plan, typing) = self.plan_for(file, header)?;
        self.mapping = mapping;
        self.plan = plan;
        self.typing = typing;
        // An order the previous file ended in continues here when both files give its
        // total, status or refund once per order the same way: counted once, as in one file.
        self.export = match self.previous_file.take() {
            Some((previous, open)) if previous.continues_into(&self.plan) => open,
            _ => ExportState::default(),
        };
        self.display = file.display.clone();
        Ok(())
    }

    fn row(&mut self, location: Location, fields: &dyn Fields) -> Result<(), RowFault> {
        let Self {
            lines,
            mapping,
            plan,
            typing,
            export,
            ..
        } = self;
        let admitted = export
            .admit(plan, typing, fields)
            .and_then(|admission| match admission {
                Admission::Dropped => Ok(None),
                Admission::Kept(overrides) => lines
                    .push(mapping, typing, fields, &overrides)
                    .map(|stored| Some((stored, overrides))),
            });
        let (stored, overrides) = match admitted {
            Ok(Some(kept)) => kept,
            Ok(None) => return Ok(()),
            Err(fault) => {
                export.reject_current();
                return Err(fault);
            }
        };
        if plan.currency.is_none()
            && let Some(marker) = stored.marker
        {
            export.count_marker(marker);
        }
        export.kept(
            || match &overrides.customer {
                Some(customer) => customer.clone(),
                None => fields
                    .get(plan.customer)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            stored.value,
        );
        if let Some(order) = stored.decides
            && export.date_order.is_none()
        {
            export.date_order = Some((order, location));
        }
        if stored.pending {
            export.pending_dates += 1;
            if export.first_pending.is_none() {
                let text = fields.get(plan.date).unwrap_or_default().trim().to_string();
                export.first_pending = Some((text, location));
            }
            return Ok(());
        }
        self.dates.see(DatedLine {
            date: stored.value,
            file: self.file,
            location: Some(location),
        });
        Ok(())
    }
}
