//! Numbers, degrees and inputs written for people, the same way by the command line and
//! the report.

/// 15625 → "15,625".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value with enough significant digits to tell benchmark values apart: six decimals,
/// or seven significant digits in scientific notation for values so small that six
/// decimals would show 0 (a metric on a 1e-9 scale) or so large that they would print
/// hundreds of digits.
pub fn value(x: f64) -> String {
    if x != 0.0 && x.is_finite() && (x.abs() < 1e-5 || x.abs() >= 1e15) {
        let s = format!("{x:.6e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.into()
    }
}

/// A share as a percentage.
pub fn percent(p: f64) -> String {
    format!("{:.2}%", 100.0 * p)
}

/// "24 neighbours each", or "3–12 neighbours (mean 7.41)" where the degree varies.
pub fn degree(d: &crate::space::DegreeStats) -> String {
    if d.min == d.max {
        format!("{} neighbours each", d.min)
    } else {
        format!("{}–{} neighbours (mean {:.2})", d.min, d.max, d.mean)
    }
}

/// One line saying where the values come from.
pub fn describe_input<V>(input: &crate::input::Input<V>) -> String {
    match &input.source {
        crate::input::Source::Synthetic { model, seed } => {
            format!("synthetic {model} losses, seed {seed}")
        }
        crate::input::Source::Table { path, .. }
        | crate::input::Source::Graph { path, .. }
        | crate::input::Source::Npy { path } => {
            format!(
                "{} from {} ({} is better)",
                input.metric,
                path.display(),
                if input.maximize { "higher" } else { "lower" }
            )
        }
    }
}
