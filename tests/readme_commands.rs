//! Every `nasland …` command shown in README.md runs, so a documented command cannot rot
//! (issue #16). The commands are parsed from the file at test time, never copied here.
//!
//! A command is a line of a fenced `sh`/`bash`/`console` (or unlabelled) block whose first
//! word is `nasland`; a trailing `\` continues it, `#` starts a comment, and `|` ends the
//! part that is run. A comment that says `exit N` makes N the expected status (a README
//! that shows an error on purpose); otherwise the command must exit 0. The commands of
//! one file run in order in one temporary directory, so later ones may read what earlier
//! ones wrote (`nb201.nasl`); `../shared/data/…` and `data/…` name the shared tables and
//! the project's own.
//!
//! docs/*.md are checked the same way where their commands can run here: a docs command
//! is run when every file it reads exists after the same substitutions (bare benchmark
//! names such as `nb201.csv` read the shared copy) and it is not a paper-scale run; the
//! others (data a user exports or downloads, 10^6-vertex graphs, NAS-Bench-101 builds)
//! are parsed by the command line's own parser (`nasland::cli::parse`) and checked to
//! say a table metric's direction.

use crate::util::nasland;
use std::path::{Path, PathBuf};

/// One command as shown.
#[derive(Debug)]
struct Shown {
    file: &'static str,
    line: usize,
    words: Vec<String>,
    status: i32,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Splits a shell line into words (quotes, no expansion); returns the words before a
/// comment or a pipe, and the comment.
fn words(line: &str) -> (Vec<String>, String) {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => return (out, line[i + 1..].trim().to_string()),
            (None, '|') => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                }
                let comment = line[i..]
                    .find('#')
                    .map_or(String::new(), |j| line[i + j + 1..].trim().to_string());
                return (out, comment);
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    (out, String::new())
}

/// The expected exit status a comment states (`exit 2`), else 0.
fn expected_status(comment: &str) -> i32 {
    comment
        .split("exit ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The `nasland` commands in the shell blocks of a markdown file.
fn commands(file: &'static str, text: &str) -> Vec<Shown> {
    let mut out = Vec::new();
    let mut in_shell = None::<bool>;
    let mut pending = String::new();
    let mut first_line = 0;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_shell = match in_shell {
                Some(_) => None,
                None => Some(matches!(
                    info.trim(),
                    "" | "sh" | "bash" | "console" | "shell"
                )),
            };
            pending.clear();
            continue;
        }
        if in_shell != Some(true) {
            continue;
        }
        if pending.is_empty() {
            first_line = i + 1;
        }
        let (body, continued) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        pending += body;
        pending.push(' ');
        if continued {
            continue;
        }
        let (words, comment) = words(pending.trim().trim_start_matches("$ "));
        pending.clear();
        if words.first().map(String::as_str) == Some("nasland") {
            out.push(Shown {
                file,
                line: first_line,
                status: expected_status(&comment),
                words: words[1..].to_vec(),
            });
        }
    }
    out
}

/// A word with the shared tables and the project's data made absolute; with `bare`, also
/// a bare benchmark file name (`nb201.csv`) that exists in the shared data.
fn substitute(word: &str, bare: bool) -> String {
    let shared = root().join("../shared/data");
    if let Some(rest) = word.strip_prefix("../shared/data/") {
        return shared.join(rest).display().to_string();
    }
    if word.starts_with("data/") {
        return root().join(word).display().to_string();
    }
    if bare && word.ends_with(".csv") && !word.contains('/') && shared.join(word).is_file() {
        return shared.join(word).display().to_string();
    }
    word.to_string()
}

/// Runs one command in `dir` and checks its status.
fn run(c: &Shown, dir: &Path, words: &[String]) {
    let out = nasland()
        .args(words)
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(c.status),
        "{}:{}: nasland {} exited with {:?} (expected {}):\n{}",
        c.file,
        c.line,
        c.words.join(" "),
        out.status.code(),
        c.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_parser_reads_shell_blocks() {
    let text = "x\n```sh\nnasland a --b 'c d' \\\n    --e   # exit 2\necho no\nnasland keys t.nasl | head\n```\n```python\nnasland x\n```\n";
    let c = commands("t.md", text);
    assert_eq!(c.len(), 2);
    assert_eq!(c[0].words, ["a", "--b", "c d", "--e"]);
    assert_eq!((c[0].line, c[0].status), (3, 2));
    assert_eq!(c[1].words, ["keys", "t.nasl"]);
    assert_eq!(c[1].status, 0);
}

#[test]
fn every_readme_command_runs() {
    let text = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let shown = commands("README.md", &text);
    assert!(shown.len() >= 20, "found only {} commands", shown.len());
    let dir = tempfile::tempdir().unwrap();
    // The user's own array that the README's `--losses losses.npy` reads: one value per
    // vertex of 5^9, made here.
    let values: Vec<f32> = (0..5usize.pow(9))
        .map(|v| ((v * 7919) % 100_003) as f32)
        .collect();
    let npy = std::fs::File::create(dir.path().join("losses.npy")).unwrap();
    nasland::input::npy::write(&mut std::io::BufWriter::new(npy), &values).unwrap();
    let mut ran = 0;
    for c in &shown {
        let words: Vec<String> = c.words.iter().map(|w| substitute(w, false)).collect();
        let runnable = inputs(&words).iter().all(|p| dir.path().join(p).exists());
        if runnable && !heavy(&words) {
            run(c, dir.path(), &words);
            ran += 1;
        } else {
            // A user's own file (losses.npy) or a billion-vertex run: parsed, not run.
            parses(c, &words);
            directed(c, &words);
        }
    }
    assert_eq!(ran, shown.len(), "every README command runs");
}

/// The docs' commands: run where their data is here, else parsed by the command line.
#[test]
fn every_docs_command_is_valid() {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    // A docs command that README.md shows too (the same words once the shared tables are
    // named, the same expected status) is run by every_readme_command_runs; running it
    // again here would repeat that check (the NB201 report and the NAS-Bench-Graph
    // analysis: about 6 s of CPU). It is parsed here, not run, only when its inputs are
    // absolute paths (so its result cannot depend on the working directory) and no later
    // command of its file names a file it writes.
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let in_readme: Vec<(Vec<String>, i32)> = commands("README.md", &readme)
        .iter()
        .map(|c| {
            let words = c.words.iter().map(|w| substitute(w, false)).collect();
            (words, c.status)
        })
        .collect();
    let mut total = 0;
    for doc in docs {
        let name: &'static str = Box::leak(
            doc.strip_prefix(root())
                .unwrap()
                .display()
                .to_string()
                .into_boxed_str(),
        );
        let text = std::fs::read_to_string(&doc).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let shown = commands(name, &text);
        for (i, c) in shown.iter().enumerate() {
            total += 1;
            let words: Vec<String> = c.words.iter().map(|w| substitute(w, true)).collect();
            let runnable = inputs(&words).iter().all(|p| dir.path().join(p).exists());
            let run_by_readme = in_readme.contains(&(words.clone(), c.status))
                && inputs(&words).iter().all(|p| Path::new(p).is_absolute())
                && !outputs(&words).iter().any(|o| {
                    shown[i + 1..]
                        .iter()
                        .any(|l| l.words.iter().any(|w| w.contains(o)))
                });
            if run_by_readme {
                parses(c, &words);
                directed(c, &words);
            } else if runnable && !heavy(&words) {
                run(c, dir.path(), &words);
            } else {
                parses(c, &words);
                directed(c, &words);
            }
        }
    }
    assert!(total >= 20, "found only {total} commands in docs/");
}

/// The files a command writes: the values of `-o`, `--out`, `--plot` and `--graphml`.
fn outputs(words: &[String]) -> Vec<&str> {
    words
        .windows(2)
        .filter(|w| matches!(w[0].as_str(), "-o" | "--out" | "--plot" | "--graphml"))
        .map(|w| w[1].as_str())
        .collect()
}

/// The files a command reads: the values of `--table`, `--graph`, `--edges`, and the
/// table that `info` and `keys` describe.
fn inputs(words: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = words
        .windows(2)
        .filter(|w| {
            matches!(
                w[0].as_str(),
                "--table" | "--graph" | "--edges" | "--losses"
            )
        })
        .map(|w| w[1].as_str())
        .collect();
    if matches!(words.first().map(String::as_str), Some("info" | "keys")) {
        out.extend(words.get(1).map(String::as_str));
    }
    out
}

/// A command that is parsed only still says the direction of a CSV table metric (a
/// `--graph` column may have one recorded; `pack` records, `report` may use suffixes).
fn directed(c: &Shown, words: &[String]) {
    let table_metric = words.iter().any(|w| w == "--table")
        && words
            .iter()
            .any(|w| w == "--metric" || w.starts_with("--sigma-from"));
    if table_metric {
        assert!(
            words.iter().any(|w| w == "--maximize" || w == "--minimize"),
            "{}:{}: nasland {}: a table metric needs --maximize or --minimize",
            c.file,
            c.line,
            c.words.join(" ")
        );
    }
}

/// Commands too slow for the suite (10^6 vertices and more, product spaces over 5·10^7,
/// or thousands of draws): the docs quote them as the paper-scale settings; they are parsed, not run.
fn heavy(words: &[String]) -> bool {
    let huge_space = words.windows(2).any(|w| {
        w[0] == "--space"
            && nasland::space::ProductSpace::parse(&w[1]).is_ok_and(|p| {
                use nasland::space::Neighbourhood;
                p.len() > 50_000_000
            })
    });
    huge_space
        || words.iter().any(|w| {
            w.starts_with("1000000,")
                || w.starts_with("4000000,")
                || w == "nb101"
                || w == "nb101-labelled"
        })
        || words.windows(2).any(|w| {
            (w[0] == "--draws" || w[0] == "--runs") && w[1].parse::<u64>().is_ok_and(|n| n > 20)
        })
}

/// The command line accepts the words (flags, values), without running.
fn parses(c: &Shown, words: &[String]) {
    let args = std::iter::once("nasland".to_string()).chain(words.iter().cloned());
    if let Err(e) = nasland::cli::parse(args) {
        panic!("{}:{}: nasland {}: {e}", c.file, c.line, c.words.join(" "));
    }
}
