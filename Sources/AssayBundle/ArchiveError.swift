public import AssayStore

/// An error from writing or reading a tar archive with ``TarArchive``.
///
/// It names the archive file (when there is one) and the entry, as stored in the archive, so
/// ``description`` reads *where: what. what to do*:
///
/// ```text
/// audit.tar.gz: entry "../etc/passwd": the path has a '..' component. An archive may only
/// hold relative paths that stay inside it; do not trust this archive.
/// ```
public struct ArchiveError: CategorizedError, Sendable, Hashable {
    /// Why the archive was refused or could not be written.
    public enum Reason: String, Sendable, Hashable {
        /// An entry path starts with `/`.
        case absolutePath
        /// An entry path has a `..` component.
        case parentDirectoryComponent
        /// An entry path is empty, too long, not UTF-8, or holds a backslash or control character.
        case invalidPath
        /// A symbolic-link entry.
        case symbolicLink
        /// A hard-link entry.
        case hardLink
        /// A device, FIFO or socket entry.
        case specialFile
        /// Two entries with the same path (after removing `.` components and trailing `/`).
        case duplicatePath
        /// An entry below a path that another entry makes a regular file (`a` then `a/b`).
        case pathConflict
        /// One entry's size is over ``TarArchive/Limits/maxEntrySize``.
        case entryTooLarge
        /// The entries' sizes add up to more than ``TarArchive/Limits/maxTotalSize``.
        case totalSizeTooLarge
        /// More entries than ``TarArchive/Limits/maxEntries``.
        case tooManyEntries
        /// The bytes are not a readable gzip-compressed tar (truncated, corrupt, another format).
        case malformedArchive
        /// A file or directory could not be read, created or written.
        case fileSystem
        /// libarchive failed while writing; a bug or resource exhaustion rather than bad input.
        case writeFailed
    }

    /// Why.
    public var reason: Reason
    /// The archive file, when reading or writing one by path.
    public var archive: String?
    /// The entry's path as the archive stores it (or as the caller gave it, when writing).
    public var entry: String?
    /// What went wrong, without the place.
    public var detail: String
    /// What to do about it.
    public var hint: String

    /// Makes an error.
    public init(
        _ reason: Reason, archive: String? = nil, entry: String? = nil, detail: String, hint: String
    ) {
        self.reason = reason
        self.archive = archive
        self.entry = entry
        self.detail = detail
        self.hint = hint
    }

    /// `.internal` for ``Reason/writeFailed``; `.usage` (bad input: an untrusted archive, a bad
    /// path, a missing file) otherwise. A caller that verifies bundles may report a refused
    /// archive as a failed check instead.
    public var category: ErrorCategory {
        reason == .writeFailed ? .internal : .usage
    }

    /// *where: what. what to do*.
    public var description: String {
        var text = ""
        if let archive { text += archive + ": " }
        if let entry { text += "entry " + String(reflecting: entry) + ": " }
        text += detail
        if !hint.isEmpty {
            text += ". " + hint
            if !hint.hasSuffix(".") { text += "." }
        }
        return text
    }

    func with(archive: String?) -> ArchiveError {
        var copy = self
        if copy.archive == nil { copy.archive = archive }
        return copy
    }
}
