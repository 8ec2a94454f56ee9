// Preloaded into every process the bench starts (with --expose-gc): SIGWINCH runs a full garbage
// collection, so resident memory is read after what a burst of work left behind is gone.
process.on('SIGWINCH', () => (globalThis as { gc?: () => void }).gc?.());
