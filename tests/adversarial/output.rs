//! Output-side adversarial tests (issue 14 items 1–4 and 6) live here.
