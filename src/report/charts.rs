//! The report's charts, drawn with plotters' SVG back end (text is left to the viewer's
//! fonts, so no font files are needed and Chinese labels render wherever they are read):
//! tier shares, the Pareto curve, an R×F heatmap and the migration matrix.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::TierRow;
use super::labels::Labels;

const WIDTH: u32 = 860;
const FONT: &str = "sans-serif";
const CUSTOMER_COLOUR: RGBColor = RGBColor(120, 144, 156);
const REVENUE_COLOUR: RGBColor = RGBColor(25, 118, 210);
/// Most points drawn on the Pareto curve; more add bytes, not information.
const MAX_CURVE_POINTS: usize = 400;

fn drawing_error(error: impl std::fmt::Debug) -> anyhow::Error {
    anyhow::anyhow!("cannot draw a chart: {error:?}")
}

/// Run `draw` on an SVG canvas of `height` pixels and return the document.
fn svg(
    height: u32,
    draw: impl FnOnce(&DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> anyhow::Result<()>,
) -> anyhow::Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(drawing_error)?;
        draw(&root)?;
        root.present().map_err(drawing_error)?;
    }
    Ok(text)
}

/// The series legend, on a white box, at `position`.
fn draw_legend<'a, DB: DrawingBackend + 'a, CT: plotters::coord::CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
    size: u32,
) -> anyhow::Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, size))
        .draw()
        .map_err(drawing_error)
}

/// Axes for `n` horizontal bars over 0–100 %, row names in a left area `names` wide and a
/// right margin `right` wide.
fn percent_bars<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    title: &str,
    n: f64,
    names: u32,
    right: u32,
) -> anyhow::Result<
    ChartContext<
        'a,
        SVGBackend<'b>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
> {
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 18))
        .margin(12)
        .margin_right(right)
        .x_label_area_size(28)
        .y_label_area_size(names)
        .build_cartesian_2d(0f64..100f64, 0f64..n)
        .map_err(drawing_error)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(11)
        .max_light_lines(1)
        .x_label_formatter(&|v| format!("{v:.0}%"))
        .draw()
        .map_err(drawing_error)?;
    Ok(chart)
}

fn label_style(size: u32, anchor: Pos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).pos(anchor)
}

/// Horizontal bars: each tier's share of customers and of revenue, best tier on top.
pub fn tier_shares(tiers: &[TierRow], labels: &Labels) -> anyhow::Result<String> {
    let n = tiers.len().max(1) as f64;
    let height = 90 + 34 * tiers.len() as u32;
    svg(height, |root| {
        let mut chart = percent_bars(root, labels.chart_tiers, n, 190, 12)?;
        let top = |i: usize| n - i as f64;
        let bar = |i: usize, offset: f64, value: f64, colour: RGBColor| {
            Rectangle::new(
                [(0.0, top(i) - offset), (value, top(i) - offset - 0.38)],
                colour.filled(),
            )
        };
        let percent = |share: Option<f64>| 100.0 * share.unwrap_or(0.0).max(0.0);
        chart
            .draw_series(
                tiers
                    .iter()
                    .enumerate()
                    .map(|(i, t)| bar(i, 0.1, percent(t.customer_share), CUSTOMER_COLOUR)),
            )
            .map_err(drawing_error)?
            .label(labels.share_of_customers)
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], CUSTOMER_COLOUR.filled())
            });
        chart
            .draw_series(
                tiers
                    .iter()
                    .enumerate()
                    .map(|(i, t)| bar(i, 0.5, percent(t.revenue_share), REVENUE_COLOUR)),
            )
            .map_err(drawing_error)?
            .label(labels.share_of_revenue)
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 12, y + 5)], REVENUE_COLOUR.filled())
            });
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight, 13)?;
        let names = label_style(13, Pos::new(HPos::Right, VPos::Center));
        for (i, tier) in tiers.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, top(i) - 0.5));
            root.draw(&Text::new(tier.name.clone(), (x - 8, y), names.clone()))
                .map_err(drawing_error)?;
        }
        Ok(())
    })
}

/// A reference line on the Pareto curve.
pub enum Mark {
    /// A share of value (percent), drawn across: the 80 % line.
    Value(f64),
    /// Where a class ends, as a share of the ranked customers (percent), drawn upwards and
    /// labelled (`A | B`).
    ClassEnd(f64, String),
}

/// Cumulative share of value against cumulative share of customers, customers ranked by
/// value (largest first; only positive values), with reference `marks`; `value_axis`
/// names the value (share of revenue, of profit).
pub fn pareto_curve(
    values: &[i64],
    marks: &[Mark],
    value_axis: &str,
    labels: &Labels,
) -> anyhow::Result<String> {
    let mut sorted: Vec<i64> = values.iter().copied().filter(|&r| r > 0).collect();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let total: i128 = sorted.iter().map(|&r| i128::from(r)).sum();
    let n = sorted.len();
    let step = n.div_ceil(MAX_CURVE_POINTS).max(1);
    let mut points = vec![(0.0, 0.0)];
    let mut running: i128 = 0;
    for (i, value) in sorted.iter().enumerate() {
        running += i128::from(*value);
        if (i + 1) % step == 0 || i + 1 == n {
            points.push((
                100.0 * (i + 1) as f64 / n as f64,
                100.0 * running as f64 / total as f64,
            ));
        }
    }
    svg(420, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(labels.chart_pareto, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..100f64, 0f64..100f64)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(labels.share_of_customers)
            .y_desc(value_axis)
            .max_light_lines(1)
            .x_label_formatter(&|v| format!("{v:.0}%"))
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .draw()
            .map_err(drawing_error)?;
        let line = BLACK.mix(0.4).stroke_width(1);
        for mark in marks {
            let (from, to, text, anchor, offset) = match mark {
                Mark::Value(y) => (
                    (0.0, *y),
                    (100.0, *y),
                    format!("{y:.0}%"),
                    Pos::new(HPos::Right, VPos::Bottom),
                    (-4, -4),
                ),
                Mark::ClassEnd(x, label) => (
                    (*x, 0.0),
                    (*x, 100.0),
                    label.clone(),
                    Pos::new(HPos::Left, VPos::Bottom),
                    (4, 0),
                ),
            };
            chart
                .draw_series(LineSeries::new([from, to], line))
                .map_err(drawing_error)?;
            let (x, y) = chart.backend_coord(&(
                to.0,
                if matches!(mark, Mark::Value(_)) {
                    to.1
                } else {
                    8.0
                },
            ));
            root.draw(&Text::new(
                text,
                (x + offset.0, y + offset.1),
                label_style(12, anchor),
            ))
            .map_err(drawing_error)?;
        }
        chart
            .draw_series(LineSeries::new(points, REVENUE_COLOUR.stroke_width(2)))
            .map_err(drawing_error)?;
        Ok(())
    })
}

/// Counts in a labelled grid.
pub struct CountGrid {
    /// Column labels, left to right.
    pub columns: Vec<String>,
    /// Row labels, top to bottom.
    pub rows: Vec<String>,
    /// `counts[row][column]`.
    pub counts: Vec<Vec<u64>>,
    /// Text shown in a cell instead of its count (`labels[row][column]`), where given.
    pub labels: Vec<Vec<String>>,
}

/// A grid of counts: cells shaded by their count, each labelled; row 0 on top.
pub fn count_grid(
    title: &str,
    grid: &CountGrid,
    axis_titles: (&str, &str),
) -> anyhow::Result<String> {
    let CountGrid {
        columns,
        rows,
        counts,
        labels,
    } = grid;
    let (width, height) = (columns.len().max(1) as f64, rows.len().max(1) as f64);
    let largest = counts.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
    let pixel_height = 120 + 36 * rows.len() as u32;
    svg(pixel_height, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .margin_top(20)
            .x_label_area_size(64)
            .y_label_area_size(170)
            .build_cartesian_2d(0f64..width, 0f64..height)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(axis_titles.0)
            .y_desc(axis_titles.1)
            .draw()
            .map_err(drawing_error)?;
        let cells = rows
            .iter()
            .enumerate()
            .flat_map(|(r, _)| columns.iter().enumerate().map(move |(c, _)| (r, c)));
        let shade = |count: u64| {
            let t = count as f64 / largest;
            let channel = |full: u8| (255.0 - t * (255.0 - f64::from(full))).round() as u8;
            RGBColor(channel(25), channel(118), channel(210))
        };
        let count_at = |r: usize, c: usize| {
            counts
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .unwrap_or(0)
        };
        chart
            .draw_series(cells.clone().map(|(r, c)| {
                let y = height - r as f64;
                Rectangle::new(
                    [(c as f64, y), (c as f64 + 1.0, y - 1.0)],
                    shade(count_at(r, c)).filled(),
                )
            }))
            .map_err(drawing_error)?;
        for (r, c) in cells {
            let count = count_at(r, c);
            let (x, y) = chart.backend_coord(&(c as f64 + 0.5, height - r as f64 - 0.5));
            let colour = if count as f64 / largest > 0.55 {
                WHITE
            } else {
                BLACK
            };
            let text = labels
                .get(r)
                .and_then(|row| row.get(c))
                .cloned()
                .unwrap_or_else(|| count.to_string());
            root.draw(&Text::new(
                text,
                (x, y),
                label_style(12, Pos::new(HPos::Center, VPos::Center)).color(&colour),
            ))
            .map_err(drawing_error)?;
        }
        for (c, name) in columns.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(c as f64 + 0.5, 0.0));
            root.draw(&Text::new(
                name.clone(),
                (x, y + 6),
                label_style(12, Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(drawing_error)?;
        }
        for (r, name) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, height - r as f64 - 0.5));
            root.draw(&Text::new(
                name.clone(),
                (x - 8, y),
                label_style(12, Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(drawing_error)?;
        }
        Ok(())
    })
}

/// Colours of the lines, groups and bar parts, one per tier, cycling (12: every RFM
/// segment its own).
const LINE_COLOURS: [RGBColor; 12] = [
    RGBColor(25, 118, 210),
    RGBColor(216, 67, 21),
    RGBColor(56, 142, 60),
    RGBColor(123, 31, 162),
    RGBColor(251, 140, 0),
    RGBColor(0, 131, 143),
    RGBColor(194, 24, 91),
    RGBColor(93, 64, 55),
    RGBColor(120, 144, 156),
    RGBColor(175, 180, 43),
    RGBColor(92, 107, 192),
    RGBColor(233, 30, 99),
];

/// One line of a KPI chart: a name and a value per period (none where undefined).
pub struct KpiLine {
    /// Tier name.
    pub name: String,
    /// Per period, in percent.
    pub values: Vec<Option<f64>>,
}

/// A KPI (a rate in percent) per tier across periods: one line per tier, gaps where the
/// rate is undefined, periods labelled with their as-of dates.
pub fn kpi_lines(title: &str, periods: &[String], lines: &[KpiLine]) -> anyhow::Result<String> {
    let n = periods.len().max(2);
    svg(360, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.3f64..(n as f64 - 0.7), 0f64..100f64)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_labels(periods.len().max(1))
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 0.01 && i >= 0.0 {
                    periods.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .max_light_lines(1)
            .draw()
            .map_err(drawing_error)?;
        for (k, line) in lines.iter().enumerate() {
            let colour = LINE_COLOURS[k % LINE_COLOURS.len()];
            // Consecutive defined points form segments; an undefined rate breaks the line.
            let mut segments: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for (i, value) in line.values.iter().enumerate() {
                match value {
                    Some(v) => segments.last_mut().expect("one").push((i as f64, *v)),
                    None => segments.push(Vec::new()),
                }
            }
            let points: Vec<(f64, f64)> = segments.iter().flatten().copied().collect();
            for segment in segments.into_iter().filter(|s| s.len() > 1) {
                chart
                    .draw_series(LineSeries::new(segment, colour.stroke_width(2)))
                    .map_err(drawing_error)?;
            }
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )
                .map_err(drawing_error)?
                .label(line.name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 12, y + 4)], colour.filled())
                });
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight, 12)?;
        Ok(())
    })
}

/// A scatter of groups of points on ln(1 + x) axes, each group in its colour, with a
/// cross at each group's centre.
pub struct Scatter {
    /// The chart's title.
    pub title: String,
    /// What x is (labelled in its own units).
    pub x_axis: String,
    /// What y is.
    pub y_axis: String,
    /// Per group: its name, its points (x, y ≥ 0, own units) and its centre.
    pub groups: Vec<ScatterGroup>,
}

/// A named group of points and its centre.
pub type ScatterGroup = (String, Vec<(f64, f64)>, (f64, f64));

/// Points drawn per group at most: more add bytes, not shape.
const MAX_SCATTER_POINTS: usize = 600;

/// Draw `scatter` with both axes on ln(1 + v), ticks labelled in the values' own units.
pub fn scatter(scatter: &Scatter) -> anyhow::Result<String> {
    let ln = |v: f64| v.max(0.0).ln_1p();
    let (mut x_max, mut y_max) = (1.0f64, 1.0f64);
    for (_, points, _) in &scatter.groups {
        for (x, y) in points {
            x_max = x_max.max(ln(*x));
            y_max = y_max.max(ln(*y));
        }
    }
    let unlog = |v: &f64| {
        let value = v.exp_m1();
        if value >= 1000.0 {
            format!("{:.0}k", value / 1000.0)
        } else {
            format!("{value:.0}")
        }
    };
    svg(440, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(scatter.title.as_str(), (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0f64..x_max * 1.05, 0f64..y_max * 1.05)
            .map_err(drawing_error)?;
        chart
            .configure_mesh()
            .x_desc(scatter.x_axis.as_str())
            .y_desc(scatter.y_axis.as_str())
            .x_label_formatter(&unlog)
            .y_label_formatter(&unlog)
            .max_light_lines(1)
            .draw()
            .map_err(drawing_error)?;
        for (k, (name, points, centre)) in scatter.groups.iter().enumerate() {
            let colour = LINE_COLOURS[k % LINE_COLOURS.len()];
            let step = points.len().div_ceil(MAX_SCATTER_POINTS).max(1);
            chart
                .draw_series(
                    points
                        .iter()
                        .step_by(step)
                        .map(|(x, y)| Circle::new((ln(*x), ln(*y)), 2, colour.mix(0.5).filled())),
                )
                .map_err(drawing_error)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 4), (x + 12, y + 4)], colour.filled())
                });
            chart
                .draw_series(std::iter::once(Cross::new(
                    (ln(centre.0), ln(centre.1)),
                    7,
                    colour.stroke_width(3),
                )))
                .map_err(drawing_error)?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft, 12)?;
        Ok(())
    })
}

/// Horizontal 100 % bars, one per row label, each split into its groups' shares
/// (`shares[row][group]`, 0–1), groups coloured and named in the legend.
pub fn stacked_shares(
    title: &str,
    rows: &[(String, Vec<f64>)],
    groups: &[String],
) -> anyhow::Result<String> {
    let n = rows.len().max(1) as f64;
    let height = (110 + 30 * rows.len() as u32).max(70 + 18 * groups.len() as u32);
    svg(height, |root| {
        // The legend sits in a right margin of its own, clear of the bars.
        let mut chart = percent_bars(root, title, n, 150, 200)?;
        let top = |i: usize| n - i as f64;
        for (g, _) in groups.iter().enumerate() {
            let colour = LINE_COLOURS[g % LINE_COLOURS.len()];
            let bars = rows.iter().enumerate().map(|(i, (_, shares))| {
                let start: f64 = shares[..g].iter().sum::<f64>() * 100.0;
                let end = start + shares[g] * 100.0;
                Rectangle::new(
                    [(start, top(i) - 0.15), (end, top(i) - 0.85)],
                    colour.filled(),
                )
            });
            chart.draw_series(bars).map_err(drawing_error)?;
        }
        // The legend, drawn by hand in the right margin (the series legend is clipped to
        // the plotting area).
        let (right, top_y) = chart.backend_coord(&(100.0, n));
        let key = label_style(12, Pos::new(HPos::Left, VPos::Center));
        for (g, name) in groups.iter().enumerate() {
            let colour = LINE_COLOURS[g % LINE_COLOURS.len()];
            let y = top_y + 8 + 18 * g as i32;
            root.draw(&Rectangle::new(
                [(right + 16, y - 5), (right + 28, y + 5)],
                colour.filled(),
            ))
            .map_err(drawing_error)?;
            root.draw(&Text::new(name.clone(), (right + 34, y), key.clone()))
                .map_err(drawing_error)?;
        }
        let names = label_style(13, Pos::new(HPos::Right, VPos::Center));
        for (i, (label, _)) in rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(0.0, top(i) - 0.5));
            root.draw(&Text::new(label.clone(), (x - 8, y), names.clone()))
                .map_err(drawing_error)?;
        }
        Ok(())
    })
}
