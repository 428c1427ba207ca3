//! Whether entity scores mean what they say: reliability bins, expected calibration
//! error, and the temperature fit that makes the span marginals calibrated.
//!
//! A score is calibrated when, of the entities scored about `p`, a fraction `p` is right
//! (exact span and type). The reliability table bins the scores in equal-width bins; the
//! expected calibration error (ECE) is the count-weighted mean gap between each bin's
//! mean score and its accuracy (Guo et al. 2017, the common 10-bin form).

use crate::conll::ConllFile;
use crate::Tagger;

/// Bins of the reliability table: ten, the usual choice, so figures compare with the
/// literature's ECE.
pub const BINS: usize = 10;

/// Scores at or above this count as "high confidence" in the summaries, the threshold a
/// user filtering on `score` is most likely to pick.
pub const HIGH: f32 = 0.9;

/// One bin of a reliability table.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bin {
    /// Lower edge of the bin (inclusive).
    pub lo: f64,
    /// Upper edge (exclusive, inclusive for the last bin).
    pub hi: f64,
    /// Entities whose score falls in the bin.
    pub count: usize,
    /// Their mean score (0 when empty).
    pub mean_score: f64,
    /// The fraction of them that is right (0 when empty).
    pub accuracy: f64,
}

/// A reliability table of scored predictions, with its summaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reliability {
    /// Equal-width bins over `[0, 1]`.
    pub bins: Vec<Bin>,
    /// Expected calibration error: `Σ count/N · |mean score − accuracy|`.
    pub ece: f64,
    /// Predictions counted.
    pub count: usize,
    /// Fraction of the predictions scoring at least [`HIGH`] that are right.
    pub high_precision: f64,
    /// Fraction of the right predictions that score at least [`HIGH`].
    pub high_share: f64,
    /// Mean negative log-likelihood of the outcomes under the scores (clamped away from
    /// 0 and 1), the quantity the temperature fit minimises.
    pub nll: f64,
}

impl Reliability {
    /// The table of `points` (score, right or not) in `bins` equal-width bins.
    pub fn of(points: &[(f32, bool)], bins: usize) -> Self {
        let bins = bins.max(1);
        let mut sum = vec![0f64; bins];
        let mut right = vec![0usize; bins];
        let mut count = vec![0usize; bins];
        let (mut high, mut high_right, mut all_right) = (0usize, 0usize, 0usize);
        let mut nll = 0f64;
        for &(s, ok) in points {
            let s = f64::from(s).clamp(0.0, 1.0);
            let b = ((s * bins as f64) as usize).min(bins - 1);
            sum[b] += s;
            count[b] += 1;
            right[b] += usize::from(ok);
            all_right += usize::from(ok);
            if s >= f64::from(HIGH) {
                high += 1;
                high_right += usize::from(ok);
            }
            let p = s.clamp(1e-6, 1.0 - 1e-6);
            nll -= if ok { p.ln() } else { (1.0 - p).ln() };
        }
        let n = points.len();
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let mut ece = 0.0;
        let bins: Vec<Bin> = (0..bins)
            .map(|b| {
                let c = count[b];
                let bin = Bin {
                    lo: b as f64 / bins as f64,
                    hi: (b + 1) as f64 / bins as f64,
                    count: c,
                    mean_score: if c == 0 { 0.0 } else { sum[b] / c as f64 },
                    accuracy: ratio(right[b], c),
                };
                ece += ratio(c, n) * (bin.mean_score - bin.accuracy).abs();
                bin
            })
            .collect();
        Reliability {
            bins,
            ece,
            count: n,
            high_precision: ratio(high_right, high),
            high_share: ratio(high_right, all_right),
            nll: if n == 0 { 0.0 } else { nll / n as f64 },
        }
    }
}

/// Search range of the temperature, in float perceptron units: wide enough for any
/// model this trainer makes (the fit lands near 1–10), narrow enough that the search
/// converges in a few dozen taggings.
const T_RANGE: (f32, f32) = (0.05, 200.0);
/// Golden-section steps: the bracket shrinks by 0.618 per step, so 40 steps resolve
/// `ln T` to about 1e-7 of its range, far below what moves ECE.
const T_STEPS: usize = 40;

/// The temperature minimising the negative log-likelihood of the model entities'
/// correctness on the documents of `dev` that `keep` selects (by document index), by
/// golden-section search on `ln T` (the likelihood is unimodal in practice).
pub fn fit_temperature(tagger: &Tagger, dev: &ConllFile, keep: &dyn Fn(usize) -> bool) -> f32 {
    let nll = |ln_t: f64| {
        let t = tagger.clone().with_temperature(ln_t.exp() as f32);
        Reliability::of(&t.evaluate_detailed(dev, keep).points, BINS).nll
    };
    let (mut a, mut b) = (f64::from(T_RANGE.0).ln(), f64::from(T_RANGE.1).ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (nll(c), nll(d));
    for _ in 0..T_STEPS {
        if fc < fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = nll(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = nll(d);
        }
    }
    (((a + b) / 2.0).exp()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfectly_calibrated_scores_have_zero_error() {
        // Half of the 0.5s are right, all of the 1.0s, none of the 0.0s.
        let pts = [(0.5, true), (0.5, false), (1.0, true), (0.0, false)];
        let r = Reliability::of(&pts, 10);
        assert!(r.ece.abs() < 1e-9, "{}", r.ece);
        assert_eq!(r.count, 4);
        assert_eq!(r.bins[5].count, 2);
        assert_eq!(r.bins[9].count, 1);
        assert_eq!(r.bins[0].count, 1);
        assert!((r.high_precision - 1.0).abs() < 1e-9);
        assert!((r.high_share - 0.5).abs() < 1e-9);
    }

    #[test]
    fn overconfident_scores_show_their_gap() {
        // Scored 0.95, right half the time: the gap is 0.45.
        let pts = [(0.95, true), (0.95, false)];
        let r = Reliability::of(&pts, 10);
        assert!((r.ece - 0.45).abs() < 1e-6, "{}", r.ece);
        assert!((r.bins[9].accuracy - 0.5).abs() < 1e-9);
        assert!((r.high_precision - 0.5).abs() < 1e-9);
    }
}
