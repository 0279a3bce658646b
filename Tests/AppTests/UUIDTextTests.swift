import Foundation
import Testing

@testable import App

/// The UUID text read and written without Foundation's `sscanf` and `sprintf` (RawQueries.swift)
/// must read and write exactly as `UUID(uuidString:)` and `uuidString` do.
@Suite struct UUIDTextTests {
    @Test func readsAndWritesAsFoundationDoes() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.hexText == id.uuidString)
            #expect(UUID(hexText: id.uuidString) == id)
            #expect(UUID(hexText: id.uuidString.lowercased()) == id)
        }
        #expect(UUID(hexText: "00000000-0000-0000-0000-000000000000") == UUID(uuidString: "00000000-0000-0000-0000-000000000000"))
        #expect(UUID(hexText: "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")?.uuidString == "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }

    /// Stricter than Foundation, which reads past a 37th character: anything but the 36 characters
    /// is refused, and `SQLRow.uuid` then asks the driver's own decoding.
    @Test func refusesAnythingButTheCanonicalForm() {
        let id = UUID().uuidString
        var bad: [String] = ["", "not a uuid", String(id.dropLast()), id + "0"]
        bad.append(id.replacingOccurrences(of: "-", with: ""))
        bad.append(String(id.prefix(8)) + "_" + String(id.dropFirst(9)))
        bad.append("G" + String(id.dropFirst()))
        bad.append(" " + String(id.dropFirst()))
        bad.append("é" + String(id.dropFirst(2)))
        for text in bad {
            #expect(UUID(hexText: text) == nil, "\(text)")
        }
    }
}
