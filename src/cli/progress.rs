//! The image stage's progress bar on stderr: only on a terminal, never under `--quiet` or
//! in CI (where it would fill the log with redraws).

use std::io::IsTerminal;

use bindery::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar that is drawn when stderr is a person's terminal, and hidden otherwise.
pub(crate) struct Bar {
    bar: ProgressBar,
    visible: bool,
}

impl Bar {
    pub(crate) fn for_stderr(quiet: bool) -> Self {
        let visible = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Bar {
            bar: ProgressBar::hidden(),
            visible,
        }
    }
}

impl Progress for Bar {
    fn images_started(&self, total: usize) {
        if !self.visible || total == 0 {
            return;
        }
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
        self.bar.set_length(total as u64);
        if let Ok(style) = ProgressStyle::with_template("images {bar:30} {pos}/{len} {elapsed}") {
            self.bar.set_style(style);
        }
    }

    fn image_done(&self) {
        self.bar.inc(1);
    }

    fn images_finished(&self) {
        self.bar.finish_and_clear();
    }
}
