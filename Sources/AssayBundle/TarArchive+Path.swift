extension TarArchive {
    /// The longest entry path accepted, in UTF-8 bytes (Linux's PATH_MAX less room for a
    /// destination directory).
    static let maxPathBytes = 3072
    /// The longest path component accepted, in UTF-8 bytes (NAME_MAX).
    static let maxComponentBytes = 255

    /// Checks an entry path and returns it normalised: `.` components, empty components and a
    /// trailing `/` removed. Returns `""` for the archive root (`.` or `./`).
    ///
    /// Refuses absolute paths, `..` components, backslashes (a separator on Windows), control
    /// characters, and paths or components longer than the limits.
    static func normalizedPath(_ raw: String) throws(ArchiveError) -> String {
        if raw.isEmpty {
            throw ArchiveError(
                .invalidPath, entry: raw, detail: "the path is empty",
                hint: "Give every entry a relative path")
        }
        if raw.utf8.first == UInt8(ascii: "/") {
            throw ArchiveError(
                .absolutePath, entry: raw, detail: "the path is absolute",
                hint: "An archive may only hold relative paths that stay inside it; do not trust this archive")
        }
        if raw.utf8.count > maxPathBytes {
            throw ArchiveError(
                .invalidPath, entry: String(raw.prefix(80)) + "…",
                detail: "the path is \(raw.utf8.count) bytes long, over the limit of \(maxPathBytes)",
                hint: "Use shorter paths")
        }
        if let bad = raw.unicodeScalars.first(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }) {
            let what = bad == "\\" ? "a backslash" : "the control character U+\(String(bad.value, radix: 16, uppercase: true))"
            throw ArchiveError(
                .invalidPath, entry: raw, detail: "the path contains \(what)",
                hint: "Use '/' as the only separator and printable characters in paths")
        }
        var components: [Substring] = []
        for component in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                throw ArchiveError(
                    .parentDirectoryComponent, entry: raw, detail: "the path has a '..' component",
                    hint: "An archive may only hold relative paths that stay inside it; do not trust this archive")
            }
            if component.utf8.count > maxComponentBytes {
                throw ArchiveError(
                    .invalidPath, entry: raw,
                    detail: "a path component is \(component.utf8.count) bytes long, over the limit of \(maxComponentBytes)",
                    hint: "Use shorter file names")
            }
            components.append(component)
        }
        return components.joined(separator: "/")
    }

    /// Tracks the paths seen so far and refuses duplicates and file/directory conflicts.
    struct PathRegistry {
        private var files: Set<String> = []
        private var directories: Set<String> = []  // explicit entries and implied parents
        private var explicit: Set<String> = []

        /// Registers `path` (already normalised, not empty) as a `kind`; `raw` names it in errors.
        mutating func register(_ path: String, kind: EntryKind, raw: String) throws(ArchiveError) {
            if explicit.contains(path) {
                throw ArchiveError(
                    .duplicatePath, entry: raw, detail: "another entry already has the path \"\(path)\"",
                    hint: "An archive must hold each path once; do not trust this archive")
            }
            // Every ancestor must be (or become) a directory.
            var ancestor = Substring(path)
            var ancestors: [String] = []
            while let slash = ancestor.lastIndex(of: "/") {
                ancestor = ancestor[..<slash]
                let a = String(ancestor)
                if files.contains(a) {
                    throw ArchiveError(
                        .pathConflict, entry: raw, detail: "its parent \"\(a)\" is a regular file in this archive",
                        hint: "Do not trust this archive")
                }
                ancestors.append(a)
            }
            if kind == .file && directories.contains(path) {
                throw ArchiveError(
                    .pathConflict, entry: raw, detail: "other entries use \"\(path)\" as a directory",
                    hint: "Do not trust this archive")
            }
            explicit.insert(path)
            directories.formUnion(ancestors)
            switch kind {
            case .file: files.insert(path)
            case .directory: directories.insert(path)
            }
        }
    }
}
