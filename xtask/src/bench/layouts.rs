//! `cargo xtask bench paired --layouts N`: the paired timing in `N` builds of the `paired` binary
//! that differ only in the order of their functions, and each ratio's spread over them.
//!
//! Where a function lands in the binary moves its time on this project's machines, by up to a
//! factor of two: in six layouts of the same code, naive took about 365 ns per call on
//! `long-token` in five and 700 ns in the sixth, run after run. One build is one sample of that
//! placement. Each build here links the same compiled code with lld's `--shuffle-sections` over
//! the `.text.*` sections (one per function) under a different seed, so a difference that holds
//! in every layout is the code's, and one that changes sign between layouts is the placement's.
//! The machine's state moves the times as well, for seconds at a time and whatever the layout:
//! a ratio whose row's reference (the `ref ns` column of `paired`) took more than [`SLOW`] times
//! the least of the table is marked `*`, measured in a slow state, and the last line of the table
//! gives the reference's time in each layout.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use crate::process::{output, run, target_dir};

/// Builds `layouts` layouts of the `paired` binary, runs each with `rounds` and `names`, prints
/// each run as it comes, then the ratio of every row in each layout with their least, median and
/// largest.
pub(crate) fn main(layouts: u32, rounds: u32, names: &[String]) -> Result<ExitCode, String> {
    let dir = target_dir()?.join("paired-layouts");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut binaries = Vec::new();
    for seed in 1..=layouts {
        binaries.push((seed, build(seed, &dir)?));
    }
    let mut table = Table::default();
    for (seed, binary) in &binaries {
        println!("== layout {seed} ({})", binary.display());
        let mut cmd = Command::new(binary);
        cmd.arg("--rounds").arg(rounds.to_string()).args(names);
        let printed = output(&mut cmd)?;
        print!("{printed}");
        table.add(&printed);
    }
    println!();
    print!("{}", table.render(layouts));
    Ok(ExitCode::SUCCESS)
}

/// Links the `paired` binary with its functions shuffled by `seed` and copies it into `dir`:
/// only the binary's own crate is compiled again, the libraries' code is the same in every
/// layout.
fn build(seed: u32, dir: &std::path::Path) -> Result<PathBuf, String> {
    let mut cmd = super::paired_cargo("rustc");
    cmd.arg("-C")
        .arg(format!("link-arg=-Wl,--shuffle-sections=.text.*={seed}"));
    run(&mut cmd).map_err(|e| {
        format!("{e}\n(the layouts need lld, which Rust links with by default on x86_64 Linux)")
    })?;
    let built = target_dir()?.join("release").join("paired");
    let copy = dir.join(format!("paired-{seed}"));
    std::fs::copy(&built, &copy)
        .map_err(|e| format!("cannot copy {} to {}: {e}", built.display(), copy.display()))?;
    Ok(copy)
}

/// A row whose reference took more than this times the least reference of the table is marked
/// as measured in a slow state of the machine: the fast state's reference varies by about 1%.
const SLOW: f64 = 1.05;

/// The ratio of each row of the `paired` output by layout, with the reference's time of that
/// row, rows in the order first printed; and the reference's time in each layout (the median
/// over its rows).
#[derive(Debug, Default)]
struct Table {
    order: Vec<String>,
    ratios: BTreeMap<String, Vec<(f64, f64)>>,
    references: Vec<f64>,
}

impl Table {
    /// Reads the rows of one run.
    fn add(&mut self, printed: &str) {
        let mut references = Vec::new();
        for Row {
            label,
            ratio,
            reference,
        } in printed.lines().filter_map(row)
        {
            let ratios = self.ratios.entry(label.clone()).or_default();
            if ratios.is_empty() {
                self.order.push(label);
            }
            ratios.push((ratio, reference));
            references.push(reference);
        }
        references.sort_by(f64::total_cmp);
        if let Some(reference) = median(&references) {
            self.references.push(reference);
        }
    }

    /// One line per row: its ratio in each layout (marked `*` when measured in a slow state),
    /// then their least, median and largest; then the same of the reference's time.
    fn render(&self, layouts: u32) -> String {
        let mut out = format!(
            "ratio in each of {layouts} layouts (naive / ours for the inputs, function / httparse \
             for the requests; *: the row's reference took more than {SLOW} times the least of \
             the table, a slow state of the machine), then the least, median and largest of them; \
             last, the reference's ns (the median of the layout's rows)\n"
        );
        let fastest = self
            .ratios
            .values()
            .flatten()
            .map(|&(_, reference)| reference)
            .min_by(f64::total_cmp);
        let slow = |reference: f64| fastest.is_some_and(|f| reference > f * SLOW);
        for label in &self.order {
            if let Some(measured) = self.ratios.get(label) {
                let ratios: Vec<f64> = measured.iter().map(|&(ratio, _)| ratio).collect();
                let each = measured
                    .iter()
                    .map(|&(ratio, reference)| {
                        format!("{ratio:.2}{}", if slow(reference) { "*" } else { "" })
                    })
                    .collect();
                out.push_str(&spread(label, &ratios, each, 2));
            }
        }
        let each = self.references.iter().map(|r| format!("{r:.1}")).collect();
        out.push_str(&spread("reference ns", &self.references, each, 1));
        out
    }
}

/// `label`, `each` (the values as they are shown), then the least, median and largest of
/// `values`, with `decimals` decimals; an empty string when there are no values.
fn spread(label: &str, values: &[f64], each: Vec<String>, decimals: usize) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (Some(least), Some(median), Some(largest)) =
        (sorted.first(), median(&sorted), sorted.last())
    else {
        return String::new();
    };
    format!(
        "  {label:<45} {:<40} {least:.decimals$} {median:.decimals$} {largest:.decimals$}\n",
        each.join(" ")
    )
}

/// The middle of `sorted`, or the mean of its two middle values when their count is even.
fn median(sorted: &[f64]) -> Option<f64> {
    let upper = sorted.get(sorted.len() / 2)?;
    if sorted.len() % 2 == 1 {
        return Some(*upper);
    }
    let lower = sorted.get(sorted.len() / 2 - 1)?;
    Some((lower + upper) / 2.0)
}

/// One row of the `paired` output.
#[derive(Debug, PartialEq)]
struct Row {
    label: String,
    ratio: f64,
    reference: f64,
}

/// The row of one line of the `paired` output, `  LABEL... NS NS  RATIOx [LOWx, HIGHx] REF`,
/// or `None` for any other line.
fn row(line: &str) -> Option<Row> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [label @ .., _, _, ratio, low, high, reference] = words.as_slice() else {
        return None;
    };
    if label.is_empty() || !low.starts_with('[') || !high.ends_with("x]") {
        return None;
    }
    Some(Row {
        label: label.join(" "),
        ratio: ratio.strip_suffix('x')?.parse().ok()?,
        reference: reference.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_reads_the_label_ratio_and_reference_of_an_input_and_of_a_request() {
        let row_of = |label: &str, ratio, reference| Row {
            label: label.to_string(),
            ratio,
            reference,
        };
        assert_eq!(
            row(
                "  websocket                      9         24.2         32.8    1.35x [1.29x, 1.42x]   142.0"
            ),
            Some(row_of("websocket 9", 1.35, 142.0))
        );
        assert_eq!(
            row(
                "  curl-h2c             httparse_negotiate          185.7        387.0    2.08x [1.94x, 2.19x]   171.5"
            ),
            Some(row_of("curl-h2c httparse_negotiate", 2.08, 171.5))
        );
        assert_eq!(
            row("  input  bytes  ours ns  naive ns  ratio  [25%, 75%]  ref ns"),
            None
        );
        assert_eq!(row("naive's time per call against ours"), None);
    }

    #[test]
    fn table_gives_each_row_its_ratios_in_order_with_least_median_and_largest() {
        let mut table = Table::default();
        table.add("  a 1  2.0 3.0  1.50x [1.40x, 1.60x] 140.0\n  b 2  1.0 1.0  0.90x [0.80x, 1.00x] 150.0\n");
        table.add("  a 1  2.0 3.0  1.10x [1.00x, 1.20x] 170.0\n  b 2  1.0 1.0  1.20x [1.10x, 1.30x] 180.0\n");
        table.add("  a 1  2.0 3.0  1.30x [1.20x, 1.40x] 141.0\n  b 2  1.0 1.0  1.00x [0.90x, 1.10x] 141.0\n");
        let rendered = table.render(3);
        let lines: Vec<&str> = rendered.lines().skip(1).collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("  a 1 "), "{rendered}");
        // The least reference is 140.0: those above 147.0 mark their ratio.
        assert!(lines[0].contains("1.50 1.10* 1.30 "), "{rendered}");
        assert!(lines[0].ends_with("1.10 1.30 1.50"), "{rendered}");
        assert!(lines[1].contains("0.90* 1.20* 1.00 "), "{rendered}");
        assert!(lines[1].ends_with("0.90 1.00 1.20"), "{rendered}");
        assert!(lines[2].starts_with("  reference ns "), "{rendered}");
        assert!(lines[2].contains("145.0 175.0 141.0"), "{rendered}");
        assert!(lines[2].ends_with("141.0 145.0 175.0"), "{rendered}");
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[1.0, 2.0, 4.0, 8.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 4.0]), Some(2.0));
        assert_eq!(median(&[]), None);
    }
}
