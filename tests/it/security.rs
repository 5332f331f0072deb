//! Regression tests of the safety promises (README, "Security model"): one
//! test per hole found when the tool was attacked, each named after what it
//! protects. Nothing outside the repository is read or published, a public
//! build hides what it promises to hide, and no input makes northstar crash,
//! hang or exhaust memory.

mod audience;
mod filesystem;
mod history;
mod output;
