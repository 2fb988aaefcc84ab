//! Adversarial inputs and outputs (issue 14): one test per fault, named after what it
//! protects. Each asserts the exit status, that the message names the file, line or
//! option, and that no file was changed or left behind.

mod input;
mod options;
mod output;
