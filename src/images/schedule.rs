//! Running planned jobs on the rayon pool, in plan order, results in the caller's order.
//!
//! Each worker takes the next job from a shared counter rather than rayon splitting the list
//! in halves up front: splitting would hand each core a fixed half, and the plan's
//! largest-first order would only hold within each half. One job per worker at a time also
//! bounds memory: at most one decoded image per thread.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::ProcessedImage;
use super::plan::PlannedJob;
use crate::diagnostics::Diagnostic;
use crate::progress::Progress;

pub(super) type Outcome = Result<ProcessedImage, Diagnostic>;

pub(super) fn run_largest_first<F>(
    planned: &[PlannedJob<'_>],
    progress: &dyn Progress,
    work: F,
) -> Vec<Outcome>
where
    F: Fn(&PlannedJob<'_>) -> Outcome + Sync,
{
    let slots: Vec<Mutex<Option<Outcome>>> = planned.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    progress.images_started(planned.len());
    let workers = rayon::current_num_threads().min(planned.len()).max(1);

    rayon::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|_| {
                loop {
                    let position = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = planned.get(position) else {
                        break;
                    };
                    let outcome = run_guarded(job, &work);
                    if let Ok(mut slot) = slots[job.index].lock() {
                        *slot = Some(outcome);
                    }
                    progress.image_done();
                }
            });
        }
    });
    progress.images_finished();

    slots
        .into_iter()
        .zip(order_by_index(planned))
        .map(|(slot, job)| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                Err(
                    Diagnostic::error("this image was not processed (internal error)")
                        .in_file(&job.job.source),
                )
            })
        })
        .collect()
}

/// A decoder bug on a hostile file must not take the whole build down: a panic while working
/// on one image becomes a diagnostic naming that image.
fn run_guarded<F>(job: &PlannedJob<'_>, work: &F) -> Outcome
where
    F: Fn(&PlannedJob<'_>) -> Outcome,
{
    panic::catch_unwind(AssertUnwindSafe(|| work(job))).unwrap_or_else(|_| {
        Err(
            Diagnostic::error("the image decoder failed on this file (internal error)")
                .in_file(&job.job.source)
                .with_help("re-save the image with another program, or report it as a bug"),
        )
    })
}

fn order_by_index<'p, 'a>(planned: &'p [PlannedJob<'a>]) -> Vec<&'p PlannedJob<'a>> {
    let mut by_index: Vec<&PlannedJob<'_>> = planned.iter().collect();
    by_index.sort_by_key(|job| job.index);
    by_index
}
