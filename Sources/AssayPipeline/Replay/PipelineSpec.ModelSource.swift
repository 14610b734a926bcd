extension PipelineSpec {
    /// Where a replay's predictions come from: `model:` in a spec.
    public enum ModelSource: Sendable, Hashable {
        /// The outputs recorded in the capture (`model: recorded`).
        case recorded
        /// A model artifact: an id (`sha256:…`), a unique id prefix or a name, resolved by the replay.
        case artifact(String)
        /// A remote Open Inference Protocol endpoint (`http://` or `https://`).
        case remote(String)
    }
}
