//! Compares ways of scoring entities on a CoNLL dev file, fitting on one half of its
//! documents and reporting on the other (and the other way round), so the figures are
//! out of sample: `cargo run --release -p tagger --example calibrate -- FILE [MODEL]`.
//! With `FILE MODEL OUT`, instead refits the temperature on the whole file, as
//! `newsflow train` does, and writes the model with it to OUT.
//!
//! Methods: the span marginal at T = 1, the span marginal at the fitted temperature,
//! the old squashed emission margin, and Platt scaling of that margin.

use std::time::Instant;

use tagger::calibration::{fit_temperature, BINS};
use tagger::{ConllFile, Reliability, Tagger};

/// Float margins reach the hundreds; σ(m / 50) keeps them distinct in `f32`.
const MARGIN_DIVISOR: f32 = 50.0;

fn show(name: &str, r: &Reliability) {
    eprintln!(
        "{name:<28} n {:5}  ECE {:.4}  NLL {:.4}  >=0.9: precision {:.3}, share of right {:.3}",
        r.count, r.ece, r.nll, r.high_precision, r.high_share
    );
}

/// Platt scaling: `p = σ(a·logit(s) + b)` fitted by Newton steps on the log-likelihood.
fn platt(points: &[(f32, bool)]) -> (f64, f64) {
    let x = |s: f32| {
        let s = f64::from(s).clamp(1e-7, 1.0 - 1e-7);
        (s / (1.0 - s)).ln()
    };
    let (mut a, mut b) = (1.0f64, 0.0f64);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(s, ok) in points {
            let xi = x(s);
            let p = 1.0 / (1.0 + (-(a * xi + b)).exp());
            let y = f64::from(u8::from(ok));
            ga += (p - y) * xi;
            gb += p - y;
            let w = (p * (1.0 - p)).max(1e-9);
            haa += w * xi * xi;
            hab += w * xi;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        a -= (hbb * ga - hab * gb) / det;
        b -= (haa * gb - hab * ga) / det;
    }
    (a, b)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: calibrate FILE [MODEL]")?;
    let file = ConllFile::parse(&std::fs::read_to_string(path)?);
    let tagger = match args.get(2).filter(|m| m.as_str() != "-") {
        Some(m) => Tagger::load(m)?,
        None => Tagger::embedded(),
    };
    eprintln!("model temperature {}", tagger.temperature());
    if let Some(out) = args.get(3) {
        let t = fit_temperature(&tagger, &file, &|_| true);
        eprintln!(
            "refitted on every document: {t} (bits {:#010x})",
            t.to_bits()
        );
        tagger.with_temperature(t).save(out)?;
        return Ok(());
    }
    for half in 0..2usize {
        let fit = move |d: usize| d % 2 == half;
        let test = move |d: usize| d % 2 != half;
        eprintln!("--- fit on documents with index % 2 == {half}, report on the others");
        let raw = tagger.clone().with_temperature(1.0);
        show(
            "marginal T=1",
            &Reliability::of(&raw.evaluate_detailed(&file, &test).points, BINS),
        );
        let t0 = Instant::now();
        let t = fit_temperature(&tagger, &file, &fit);
        let secs = t0.elapsed().as_secs_f64();
        let fitted = tagger.clone().with_temperature(t);
        show(
            &format!("marginal T={t:.3} ({secs:.1}s)"),
            &Reliability::of(&fitted.evaluate_detailed(&file, &test).points, BINS),
        );
        let old = tagger.clone().with_margin_scores(1.0);
        show(
            "margin (old score)",
            &Reliability::of(&old.evaluate_detailed(&file, &test).points, BINS),
        );
        // Divided so that the squashing keeps the margins apart for the Platt fit.
        let margin = tagger.clone().with_margin_scores(MARGIN_DIVISOR);
        let mfit = margin.evaluate_detailed(&file, &fit).points;
        let mtest = margin.evaluate_detailed(&file, &test).points;
        let (a, b) = platt(&mfit);
        let scaled: Vec<(f32, bool)> = mtest
            .iter()
            .map(|&(s, ok)| {
                let s = f64::from(s).clamp(1e-7, 1.0 - 1e-7);
                let z = a * (s / (1.0 - s)).ln() + b;
                ((1.0 / (1.0 + (-z).exp())) as f32, ok)
            })
            .collect();
        show(
            &format!("margin Platt a={a:.2} b={b:.2}"),
            &Reliability::of(&scaled, BINS),
        );
        let mplatt = {
            let pf = fitted.evaluate_detailed(&file, &fit).points;
            let (a2, b2) = platt(&pf);
            let pts: Vec<(f32, bool)> = fitted
                .evaluate_detailed(&file, &test)
                .points
                .iter()
                .map(|&(s, ok)| {
                    let s = f64::from(s).clamp(1e-7, 1.0 - 1e-7);
                    let z = a2 * (s / (1.0 - s)).ln() + b2;
                    ((1.0 / (1.0 + (-z).exp())) as f32, ok)
                })
                .collect();
            (a2, b2, Reliability::of(&pts, BINS))
        };
        show(
            &format!("marginal+Platt a={:.2} b={:.2}", mplatt.0, mplatt.1),
            &mplatt.2,
        );
    }
    Ok(())
}
