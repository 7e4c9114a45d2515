//! The charts in `BENCHMARKS.md`: one shape of every strategy at every
//! future size, as grouped horizontal bars (a group per strategy, a bar per
//! size) in an SVG file, drawn from the numbers the bench just measured.
//!
//! `--svg DIR` (`callgrind_dispatch`) or `BENCH_SVG=DIR` (every bench that
//! draws one) says where the file goes. A chart is written only when every
//! bar was measured: a run filtered to a few rows prints its tables with
//! gaps, but a chart with missing bars would read as a complete picture.
//!
//! The drawing is `plotters` with only its SVG backend: the bars are plain
//! rectangles, and the text stays text (the viewer picks the font), so no
//! font or series features are compiled.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fixture::SizeInfo;
use super::rows::{Row, Strategy};
use super::shape::Shape;

/// The directory `BENCH_SVG` names, if set (and not empty), relative to
/// the repository's root (see [`from_root`]).
pub(crate) fn svg_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("BENCH_SVG")
        .filter(|dir| !dir.is_empty())
        .map(|dir| from_root(PathBuf::from(dir)))
}

/// `dir` as the commands in BENCHMARKS.md mean it: relative to the
/// repository's root (`docs/charts`), although cargo runs a bench in its
/// package's folder, `benches/`. An absolute path stays as it is.
pub(crate) fn from_root(dir: PathBuf) -> PathBuf {
    if dir.is_absolute() {
        dir
    } else {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(dir)
    }
}

/// One bar: its value and, where the bench measured one, the spread to
/// draw as a whisker (lowest and highest of repeated measurements).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bar {
    /// The bar's length.
    pub(crate) value: f64,
    /// The whisker, `(low, high)`.
    pub(crate) spread: Option<(f64, f64)>,
}

impl Bar {
    /// Where the bar or its whisker ends, whichever is further right.
    fn end(self) -> f64 {
        self.spread
            .map_or(self.value, |(_, high)| high.max(self.value))
    }
}

/// A grouped horizontal bar chart of one shape: a group per strategy (in
/// table order, top to bottom), a bar per future size.
#[derive(Debug)]
pub(crate) struct StrategyChart {
    /// The line above the chart.
    pub(crate) title: String,
    /// What the horizontal axis measures.
    pub(crate) axis: String,
    /// Legend entries, one per size: `SMALL (40 B future)`.
    sizes: Vec<String>,
    /// `bars[strategy][size]`, `None` where nothing was measured.
    bars: Vec<Vec<Option<Bar>>>,
    /// A bar's label: `187`, `5.18×`.
    format: fn(f64) -> String,
}

impl StrategyChart {
    /// The chart of `shape` at each of `sizes`, with `bar(size, row)` the
    /// measured bar of each row (`None`: not measured in this run).
    pub(crate) fn new(
        title: String,
        axis: String,
        shape: Shape,
        sizes: &[SizeInfo],
        format: fn(f64) -> String,
        bar: impl Fn(&SizeInfo, Row) -> Option<Bar>,
    ) -> StrategyChart {
        StrategyChart {
            title,
            axis,
            sizes: sizes
                .iter()
                .map(|s| format!("{} ({} B future)", s.name.to_uppercase(), s.future_size))
                .collect(),
            bars: Strategy::ALL
                .iter()
                .map(|&strategy| {
                    sizes
                        .iter()
                        .map(|size| bar(size, Row { strategy, shape }))
                        .collect()
                })
                .collect(),
            format,
        }
    }

    /// Writes the chart to `dir/file` (creating `dir`) if every bar was
    /// measured, and says on stdout what it did either way.
    pub(crate) fn write_to(&self, dir: &Path, file: &str) {
        let path = dir.join(file);
        let missing = self.bars.iter().flatten().filter(|b| b.is_none()).count();
        if missing > 0 {
            println!(
                "chart {} not written: {missing} of its bars were not measured in this run",
                path.display()
            );
            return;
        }
        let written = std::fs::create_dir_all(dir)
            .map_err(|e| e.to_string())
            .and_then(|()| self.draw(&path));
        match written {
            Ok(()) => println!("chart written: {}", path.display()),
            Err(e) => println!("chart {} not written: {e}", path.display()),
        }
    }

    /// Draws the chart into an SVG file at `path`.
    fn draw(&self, path: &Path) -> Result<(), String> {
        let groups = self.bars.len();
        let (width, height) = (WIDTH, TOP + groups as u32 * GROUP + BOTTOM);
        let root = SVGBackend::new(path, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        self.draw_on(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    }

    /// Draws the axes, the strategy labels, the bars with their whiskers
    /// and values, and the legend onto `root`.
    fn draw_on(
        &self,
        root: &DrawingArea<SVGBackend<'_>, Shift>,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let groups = self.bars.len();
        let per_group = self.sizes.len();
        let max = self
            .bars
            .iter()
            .flatten()
            .flatten()
            .map(|b| b.end())
            .fold(0.0, f64::max);
        // Room right of the longest bar for its label.
        let x_max = max * 1.15;
        // Group `g` (0 = first strategy, drawn at the top) spans
        // `[groups - g - 1, groups - g]` on the vertical axis; its bars share
        // `BAND` of that unit, the rest is the gap between groups.
        let bar_y = |g: usize, s: usize| {
            let top = (groups - g) as f64 - (1.0 - BAND) / 2.0;
            let h = BAND / per_group as f64;
            (top - (s + 1) as f64 * h, top - s as f64 * h)
        };

        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 20))
            .margin(12)
            .margin_right(24)
            .x_label_area_size(48)
            .y_label_area_size(LABELS)
            .build_cartesian_2d(0.0..x_max, 0.0..groups as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|v| tick(*v))
            .x_desc(self.axis.as_str())
            .axis_desc_style(("sans-serif", 15))
            .label_style(("sans-serif", 13))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .draw()?;

        // Strategy labels, right-aligned against the axis; the crate's own
        // rows in bold, as in the tables.
        for (g, strategy) in Strategy::ALL.iter().enumerate() {
            let label = strategy.label();
            let (x, y) = chart.backend_coord(&(0.0, (groups - g) as f64 - 0.5));
            let weight = if label.contains("**") {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            };
            let style = ("sans-serif", 14)
                .into_font()
                .style(weight)
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(plain(label), (x - 8, y), style))?;
        }
        // A hairline between groups.
        chart.draw_series((1..groups).map(|g| {
            PathElement::new(
                [(0.0, g as f64), (x_max, g as f64)],
                BLACK.mix(0.08).stroke_width(1),
            )
        }))?;

        for (s, name) in self.sizes.iter().enumerate() {
            let color = COLORS[s % COLORS.len()];
            chart
                .draw_series(self.bars.iter().enumerate().filter_map(|(g, sizes)| {
                    let bar = sizes[s]?;
                    let (y0, y1) = bar_y(g, s);
                    Some(Rectangle::new([(0.0, y0), (bar.value, y1)], color.filled()))
                }))?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled())
                });
            // The spread, then the value beyond the bar or the whisker.
            chart.draw_series(self.bars.iter().enumerate().filter_map(|(g, sizes)| {
                let (low, high) = sizes[s]?.spread?;
                let (y0, y1) = bar_y(g, s);
                let y = (y0 + y1) / 2.0;
                Some(PathElement::new(
                    [(low, y), (high, y)],
                    BLACK.stroke_width(1),
                ))
            }))?;
            let format = self.format;
            chart.draw_series(self.bars.iter().enumerate().filter_map(|(g, sizes)| {
                let bar = sizes[s]?;
                let (y0, y1) = bar_y(g, s);
                let style = ("sans-serif", 12)
                    .into_font()
                    .color(&BLACK.mix(0.8))
                    .pos(Pos::new(HPos::Left, VPos::Center));
                Some(
                    EmptyElement::at((bar.end(), (y0 + y1) / 2.0))
                        + Text::new(format(bar.value), (4, 0), style),
                )
            }))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        Ok(())
    }
}

/// Width of every chart, in pixels: about the width of GitHub's column for
/// a markdown file, so the text is read at the size it is drawn.
const WIDTH: u32 = 960;
/// Height of a strategy's group of bars.
const GROUP: u32 = 54;
/// Above the first group: the caption and margin.
const TOP: u32 = 60;
/// Below the last group: the axis, its labels and description.
const BOTTOM: u32 = 72;
/// Width of the strategy labels' column.
const LABELS: u32 = 300;
/// Fraction of a group's height its bars take.
const BAND: f64 = 0.78;
/// One colour per size (Okabe–Ito blue, orange, bluish green: told apart
/// with the common colour-vision deficiencies).
const COLORS: [RGBColor; 3] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
];

/// An axis tick: `100`, `2.5`, not `100.0`, `2.50`.
fn tick(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A markdown label without its code and bold marks.
fn plain(label: &str) -> String {
    label.replace(['`', '*'], "")
}
