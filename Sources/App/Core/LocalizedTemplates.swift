import Domain
import Leaf
import LeafKit
import NIOCore

/// Templates per language: `fr/cases/show` is `cases/show.leaf` with every `#t("key")` — a
/// literal key, no arguments — already replaced by its escaped French text, and `#extend("base")`
/// pointing at `fr/base`. LeafKit parses and caches each language's copy once; on a page those
/// hundred texts are then plain markup instead of a tag call each (`#t` stays for keys that come
/// from the context and texts with arguments). A path without a language is served as written.
struct LocalizedTemplates: LeafSource {
    let files: NIOLeafFiles
    let localizer: Localizer

    func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
        let parts = template.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let language = Language(rawValue: String(parts[0])) else {
            return try files.file(template: template, escape: escape, on: eventLoop)
        }
        return try files.file(template: String(parts[1]), escape: escape, on: eventLoop).map { buffer in
            ByteBuffer(string: Self.localize(String(buffer: buffer), in: language, with: localizer))
        }
    }

    static func localize(_ template: String, in language: Language, with localizer: Localizer) -> String {
        var output = ""
        // The site's fixed paths (`PageChrome.Links`), written in as they are constants.
        let linked = template.replacing(/#\(page\.links\.([A-Za-z]+)\)/) { match in
            PageChrome.Links.byName[String(match.output.1)] ?? String(match.output.0)
        }
        var rest = linked[...]
        while let match = rest.firstMatch(of: /#t\("([A-Za-z0-9_.\-]+)"\)|#extend\("/) {
            output += rest[..<match.range.lowerBound]
            rest = rest[match.range.upperBound...]
            guard let key = match.output.1 else {
                output += "#extend(\"\(language.rawValue)/"
                continue
            }
            // Left to the tag: a missing key, a text LeafKit would read as markup of its own, and
            // places where raw text would change how the template reads (glued to a tag name
            // before it, or followed by a body's colon).
            let before = output.unicodeScalars.last
            guard localizer.has(String(key), in: language),
                !(before.map { $0.properties.isAlphabetic || ("0"..."9").contains($0) } ?? false),
                rest.first != ":"
            else {
                output += linked[match.range]
                continue
            }
            let text = localizer.escapedText(String(key), language)
            output += readsAsText(text) ? text : String(linked[match.range])
        }
        return output + rest
    }

    /// Whether LeafKit reads `text` as plain text: no backslash, and every `#` followed by a
    /// digit (as in the escaped apostrophe `&#39;`), never by a letter or a parenthesis.
    private static func readsAsText(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        return !scalars.contains("\\")
            && scalars.indices.allSatisfy { index in
                scalars[index] != "#" || (index + 1 < scalars.count && ("0"..."9").contains(scalars[index + 1]))
            }
    }
}
