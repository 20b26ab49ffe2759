//! `cargo xtask bench paired --layouts N`: the paired timing in `N` builds of the `paired` binary
//! that differ only in the order of their functions, and each ratio's spread over them.
//!
//! Where a function lands in the binary moves its time on this project's machines by 5% to 30%:
//! the same code, rebuilt after an unrelated change, has measured `naive / ours` at 0.97 and at
//! 1.35 on the same input. One build is one sample of that placement. Each build here links the
//! same compiled code with lld's `--shuffle-sections` over the `.text.*` sections (one per
//! function) under a different seed, so a difference that holds in every layout is the code's,
//! and one that changes sign between layouts is the placement's.

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

/// The ratio of each row of the `paired` output, by layout, rows in the order first printed.
#[derive(Debug, Default)]
struct Table {
    order: Vec<String>,
    ratios: BTreeMap<String, Vec<f64>>,
}

impl Table {
    /// Reads the rows of one run.
    fn add(&mut self, printed: &str) {
        for (label, ratio) in printed.lines().filter_map(row) {
            let ratios = self.ratios.entry(label.clone()).or_default();
            if ratios.is_empty() {
                self.order.push(label);
            }
            ratios.push(ratio);
        }
    }

    /// One line per row: its ratio in each layout, then their least, median and largest.
    fn render(&self, layouts: u32) -> String {
        let mut out = format!(
            "ratio in each of {layouts} layouts (naive / ours for the inputs, function / httparse \
             for the requests), then the least, median and largest of them\n"
        );
        for label in &self.order {
            let Some(ratios) = self.ratios.get(label) else {
                continue;
            };
            let each: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
            let mut sorted = ratios.clone();
            sorted.sort_by(f64::total_cmp);
            let (Some(least), Some(median), Some(largest)) =
                (sorted.first(), median(&sorted), sorted.last())
            else {
                continue;
            };
            out.push_str(&format!(
                "  {label:<45} {:<40} {least:.2} {median:.2} {largest:.2}\n",
                each.join(" ")
            ));
        }
        out
    }
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

/// The label and ratio of one row of the `paired` output, `  LABEL... NS NS  RATIOx [LOWx,
/// HIGHx]`, or `None` for any other line.
fn row(line: &str) -> Option<(String, f64)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let [label @ .., _, _, ratio, low, high] = words.as_slice() else {
        return None;
    };
    if label.is_empty() || !low.starts_with('[') || !high.ends_with("x]") {
        return None;
    }
    let ratio = ratio.strip_suffix('x')?.parse().ok()?;
    Some((label.join(" "), ratio))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_reads_the_label_and_ratio_of_an_input_and_of_a_request() {
        assert_eq!(
            row(
                "  websocket                      9         24.2         32.8    1.35x [1.29x, 1.42x]"
            ),
            Some(("websocket 9".to_string(), 1.35))
        );
        assert_eq!(
            row(
                "  curl-h2c             httparse_negotiate          185.7        387.0    2.08x [1.94x, 2.19x]"
            ),
            Some(("curl-h2c httparse_negotiate".to_string(), 2.08))
        );
        assert_eq!(
            row("  input  bytes  ours ns  naive ns  ratio  [25%, 75%]"),
            None
        );
        assert_eq!(row("naive's time per call against ours"), None);
    }

    #[test]
    fn table_gives_each_row_its_ratios_in_order_with_least_median_and_largest() {
        let mut table = Table::default();
        table.add("  a 1  2.0 3.0  1.50x [1.40x, 1.60x]\n  b 2  1.0 1.0  0.90x [0.80x, 1.00x]\n");
        table.add("  a 1  2.0 3.0  1.10x [1.00x, 1.20x]\n  b 2  1.0 1.0  1.20x [1.10x, 1.30x]\n");
        table.add("  a 1  2.0 3.0  1.30x [1.20x, 1.40x]\n  b 2  1.0 1.0  1.00x [0.90x, 1.10x]\n");
        let rendered = table.render(3);
        let lines: Vec<&str> = rendered.lines().skip(1).collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("  a 1 "), "{rendered}");
        assert!(lines[0].contains("1.50 1.10 1.30"), "{rendered}");
        assert!(lines[0].ends_with("1.10 1.30 1.50"), "{rendered}");
        assert!(lines[1].ends_with("0.90 1.00 1.20"), "{rendered}");
    }

    #[test]
    fn median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
        assert_eq!(median(&[1.0, 2.0, 4.0, 8.0]), Some(3.0));
        assert_eq!(median(&[1.0, 2.0, 4.0]), Some(2.0));
        assert_eq!(median(&[]), None);
    }
}
