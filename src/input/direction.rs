//! Which way a table metric is better: said by the caller, recorded in a `.nasl` file, or
//! refused — never guessed.
//!
//! NAS tables mix accuracies (higher is better) with losses and latencies (lower is
//! better), so any default direction silently answers the wrong question for half the
//! columns. This is the one place that turns what the caller said and what a packed file
//! recorded into a direction; the command line and Python both call [`resolve`]. The
//! values of the column only feed a *suggestion* in the refusal message ([`suggest`]).

use super::{Error, ErrorKind};
use std::fmt;
use std::path::Path;

/// The same three states a `.nasl` column records: said (or recorded) either way, or not.
pub use nasland_table::format::Direction;

/// The direction a caller asks for from two flags (`maximize`, `minimize`); both at once is
/// refused by the command line's parser before this is called.
pub fn asked(maximize: bool, minimize: bool) -> Direction {
    match (maximize, minimize) {
        (true, _) => Direction::Maximize,
        (false, true) => Direction::Minimize,
        (false, false) => Direction::Unspecified,
    }
}

/// The direction of `Some(true)` (maximise), `Some(false)` (minimise) or `None` (not said),
/// as the Python keyword `maximize=` gives it.
pub fn from_maximize(maximize: Option<bool>) -> Direction {
    match maximize {
        Some(true) => Direction::Maximize,
        Some(false) => Direction::Minimize,
        None => Direction::Unspecified,
    }
}

/// A likely direction for a column, with why; shown to the user, never acted on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// True when higher is probably better.
    pub maximize: bool,
    /// Why, in words ("the name contains \"acc\" and every value lies in [0, 100]").
    pub reason: String,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let way = if self.maximize { "higher" } else { "lower" };
        write!(f, "probably {way} is better: {}", self.reason)
    }
}

/// Name parts that mark a cost (lower is better).
const COST_WORDS: [&str; 7] = [
    "loss", "latency", "time", "params", "flops", "error", "energy",
];

/// A likely direction from the column's name and values: an accuracy (name contains `acc`,
/// every value in [0, 1] or [0, 100]) is probably maximised; a loss, latency, time,
/// parameter or FLOP count, error or energy probably minimised. `None` when nothing
/// points either way.
pub fn suggest(column: &str, values: &[f64]) -> Option<Suggestion> {
    let name = column.to_ascii_lowercase();
    if name.contains("acc") {
        let within = |hi: f64| values.iter().all(|&x| (0.0..=hi).contains(&x));
        let range = if within(1.0) {
            Some("[0, 1]")
        } else if within(100.0) {
            Some("[0, 100]")
        } else {
            None
        };
        if let Some(range) = range {
            return Some(Suggestion {
                maximize: true,
                reason: format!("the name contains \"acc\" and every value lies in {range}"),
            });
        }
    }
    COST_WORDS
        .iter()
        .find(|w| name.contains(*w))
        .map(|w| Suggestion {
            maximize: false,
            reason: format!("the name contains {w:?}"),
        })
}

/// Whether `column` is maximised, from what the caller `asked` and what its file
/// `recorded` ([`Direction::Unspecified`] for a CSV column).
///
/// - recorded and asked agree, or only one of them is said: that direction;
/// - they contradict each other: [`ErrorKind::DirectionConflict`];
/// - neither is said: [`ErrorKind::DirectionNeeded`], with a [`suggest`]ion from `values`
///   in the message when one fits.
///
/// `path` names the file in messages.
pub fn resolve(
    column: &str,
    asked: Direction,
    recorded: Direction,
    values: &[f64],
    path: &Path,
) -> Result<bool, Error> {
    use Direction::{Maximize, Minimize, Unspecified};
    match (asked, recorded) {
        (Maximize, Minimize) | (Minimize, Maximize) => {
            let (was, not) = if recorded == Maximize {
                ("higher-is-better", "minimise")
            } else {
                ("lower-is-better", "maximise")
            };
            Err(Error::new(
                ErrorKind::DirectionConflict {
                    column: column.to_string(),
                    recorded: recorded == Maximize,
                },
                format!(
                    "{}: column {column:?} was packed as {was}; do not {not} it (or re-pack it with the other direction)",
                    path.display()
                ),
            )
            .with_path(path))
        }
        (Maximize, _) | (Unspecified, Maximize) => Ok(true),
        (Minimize, _) | (Unspecified, Minimize) => Ok(false),
        (Unspecified, Unspecified) => Err(needed(column, values, path)),
    }
}

/// The refusal of a column with no direction, with a [`suggest`]ion from `values` in the
/// message when one fits (callers that check before reading pass no values).
pub fn needed(column: &str, values: &[f64], path: &Path) -> Error {
    let suggestion = suggest(column, values);
    let mut message = format!(
        "{}: column {column:?} has no direction: say whether higher values are better (maximize) or lower (minimize); nasland never guesses",
        path.display()
    );
    if let Some(s) = &suggestion {
        message += &format!(" ({s})");
    }
    Error::new(
        ErrorKind::DirectionNeeded {
            column: column.to_string(),
            suggestion: suggestion.map(|s| s.maximize),
        },
        message,
    )
    .with_path(path)
}
