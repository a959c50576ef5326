//! How a long build tells its caller it is moving. The library knows no terminal: the
//! binary implements [`Progress`] with a progress bar, tests and embedders pass [`Silent`].

/// Called from the image workers (hence `Sync`) as the image stage advances.
pub trait Progress: Sync {
    /// The image stage starts, with `total` images to process.
    fn images_started(&self, total: usize) {
        let _ = total;
    }
    /// One more image is done.
    fn image_done(&self) {}
    /// The image stage is over (also after failures).
    fn images_finished(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}
