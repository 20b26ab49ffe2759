//! Paired timing: two functions timed in alternating batches, and the ratio of their times taken
//! batch pair by batch pair.
//!
//! On a shared machine the speed of the CPU drifts during a run: criterion measures one function
//! for seconds, then the next, and a slow stretch during one of them moves their ratio by 20% or
//! more. Here each round times a batch of the base function and a batch of the other, one right
//! after the other (in alternating order, so that neither always runs second), and divides the
//! two; a drift slower than a round cancels out of that ratio. The median over the rounds is
//! the ratio reported, with its quartiles, and the median time per call of each function.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The median and quartiles of a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Quartiles {
    /// The 25th percentile.
    pub(crate) low: f64,
    /// The median.
    pub(crate) median: f64,
    /// The 75th percentile.
    pub(crate) high: f64,
}

impl Quartiles {
    /// The quartiles of `values`, which this sorts, by the nearest-rank method; `None` when
    /// there are none or one is NaN.
    pub(crate) fn of(values: &mut [f64]) -> Option<Quartiles> {
        if values.iter().any(|v| v.is_nan()) {
            return None;
        }
        values.sort_by(f64::total_cmp);
        // The value of rank ceil(p * n), counted from 1.
        let rank = |percent: usize| {
            let rank = (percent * values.len()).div_ceil(100).max(1);
            values.get(rank - 1).copied()
        };
        Some(Quartiles {
            low: rank(25)?,
            median: rank(50)?,
            high: rank(75)?,
        })
    }
}

/// What [`compare`] measured of one function against the base.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Comparison {
    /// The base function's time per call, in nanoseconds, over its batches.
    pub(crate) base_ns: Quartiles,
    /// The other function's time per call, in nanoseconds, over its batches.
    pub(crate) other_ns: Quartiles,
    /// The other's time divided by the base's, round by round.
    pub(crate) ratio: Quartiles,
    /// The time of one call of [`reference_work`] in the same rounds, in nanoseconds.
    pub(crate) reference_ns: Quartiles,
}

/// The fixed work timed in every round beside the two functions, and how many calls of it make
/// one batch: its time tells the state of the machine while the round ran.
///
/// A shared machine does not only drift slowly: on this project's machines it also switches,
/// for seconds at a time, into a state where code that runs many instructions per cycle slows
/// down far more than code that runs few (ours on `rfc9110-list` went from 27 to 48 ns per call
/// in the same binary, naive from 34 to 46 ns), so that a paired ratio of the slow state is not
/// one of the fast state. The reference's time, in the same rounds, shows which state a row was
/// measured in.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reference {
    calls: u32,
}

impl Reference {
    /// A batch of about `target`.
    pub(crate) fn new(target: Duration) -> Reference {
        Reference {
            calls: calls_for(&mut reference_work, target),
        }
    }

    /// The time of one call in one batch, in nanoseconds.
    fn time(self) -> f64 {
        let mut work = reference_work;
        batch(&mut work, self.calls).as_secs_f64() * 1e9 / f64::from(self.calls)
    }
}

/// Twelve independent chains of 64 dependent steps of a shift, an exclusive or and an
/// addition, which the compiler packs two to a vector register: bound by how many operations
/// the core issues per cycle, not by the chains' latency, as the code that slows most in the
/// slow state is (about 142 ns per call in the fast state of this project's machine, 150 to 380
/// in the slow one).
#[inline(never)]
fn reference_work() {
    let seed = black_box(0x9e37_79b9_7f4a_7c15u64);
    let mut chains = [seed; 12];
    for (i, chain) in chains.iter_mut().enumerate() {
        *chain ^= i as u64;
    }
    for _ in 0..64 {
        for chain in &mut chains {
            *chain = (*chain ^ (*chain >> 7)).wrapping_add(0x5851_f42d_4c95_7f2d);
        }
    }
    black_box(chains);
}

/// How long `calls` calls of `f` take.
fn batch(f: &mut impl FnMut(), calls: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed()
}

/// The number of calls of `f` that take about `target`, at least one: measured on batches of
/// growing size, after a first batch that warms the caches.
pub(crate) fn calls_for(f: &mut impl FnMut(), target: Duration) -> u32 {
    let mut calls = 1u32;
    batch(f, calls);
    loop {
        let took = batch(f, calls);
        if took >= target / 4 || calls >= u32::MAX / 8 {
            let per_call = took.as_secs_f64() / f64::from(calls);
            let wanted = (target.as_secs_f64() / per_call.max(f64::MIN_POSITIVE)).ceil();
            // Saturating: a function too fast to time still gets a finite batch.
            return (wanted.min(f64::from(u32::MAX / 8)) as u32).max(1);
        }
        calls *= 2;
    }
}

/// Times `base` and `other` in `rounds` rounds of one batch each, `calls` calls long,
/// alternating which runs first, and a batch of `reference` after them. `None` when `rounds`
/// is 0 or a batch took no measurable time.
pub(crate) fn compare(
    mut base: impl FnMut(),
    mut other: impl FnMut(),
    calls: u32,
    rounds: usize,
    reference: Reference,
) -> Option<Comparison> {
    let mut base_ns = Vec::with_capacity(rounds);
    let mut other_ns = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    let mut reference_ns = Vec::with_capacity(rounds);
    let per_call = |took: Duration, calls: u32| took.as_secs_f64() * 1e9 / f64::from(calls);
    for round in 0..rounds {
        let (b, o) = if round % 2 == 0 {
            let b = batch(&mut base, calls);
            (b, batch(&mut other, calls))
        } else {
            let o = batch(&mut other, calls);
            (batch(&mut base, calls), o)
        };
        let (b, o) = (per_call(b, calls), per_call(o, calls));
        if b <= 0.0 || o <= 0.0 {
            return None;
        }
        base_ns.push(b);
        other_ns.push(o);
        ratios.push(o / b);
        reference_ns.push(reference.time());
    }
    Some(Comparison {
        base_ns: Quartiles::of(&mut base_ns)?,
        other_ns: Quartiles::of(&mut other_ns)?,
        ratio: Quartiles::of(&mut ratios)?,
        reference_ns: Quartiles::of(&mut reference_ns)?,
    })
}

/// Calls `f` on `input` behind [`black_box`], so that neither the call nor its input is
/// optimised away between batches.
pub(crate) fn call<'a, T: ?Sized, R>(f: impl Fn(&T) -> R + 'a, input: &'a T) -> impl FnMut() + 'a {
    move || {
        black_box(f(black_box(input)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_are_the_nearest_ranks() {
        let q = Quartiles::of(&mut [5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((q.low, q.median, q.high), (2.0, 3.0, 4.0));
        assert!(Quartiles::of(&mut []).is_none());
        let q = Quartiles::of(&mut [1.0]).unwrap();
        assert_eq!((q.low, q.median, q.high), (1.0, 1.0, 1.0));
        let q = Quartiles::of(&mut [4.0, 3.0, 2.0, 1.0]).unwrap();
        assert_eq!((q.low, q.median, q.high), (1.0, 2.0, 3.0));
        let mut hundred: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let q = Quartiles::of(&mut hundred).unwrap();
        assert_eq!((q.low, q.median, q.high), (25.0, 50.0, 75.0));
        assert!(Quartiles::of(&mut [1.0, f64::NAN]).is_none());
    }

    #[test]
    fn a_function_doing_twice_the_work_measures_about_twice_the_time() {
        // Sums of 2000 and 4000 numbers: the ratio is near 2, whatever the machine's speed.
        let sum = |n: &u64| (0..*n).fold(0u64, |s, i| black_box(s.wrapping_add(i)));
        let (short, long) = (2000u64, 4000u64);
        let mut base = call(sum, &short);
        let calls = calls_for(&mut base, Duration::from_micros(200));
        assert!(calls >= 1);
        let reference = Reference::new(Duration::from_micros(20));
        let c = compare(base, call(sum, &long), calls, 51, reference).unwrap();
        assert!((1.3..3.0).contains(&c.ratio.median), "ratio {:?}", c.ratio);
        assert!(c.base_ns.median > 0.0 && c.other_ns.median > c.base_ns.median);
        assert!(c.reference_ns.median > 0.0);
        assert!(compare(|| {}, || {}, 1, 0, reference).is_none());
    }
}
