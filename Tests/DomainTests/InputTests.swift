import Domain
import Foundation
import Testing

@Suite struct AmountTests {
    @Test(arguments: [
        ("1 234,56", 123_456), ("1,234.56", 123_456), ("1234.56", 123_456), ("1234,56", 123_456),
        ("1234", 123_400), ("$1,234.56", 123_456), ("1 234,56 $", 123_456), ("1\u{00A0}234,56\u{00A0}$", 123_456),
        ("1\u{202F}234,5", 123_450), ("12,30", 1_230), ("0", 0), ("0,05", 5), ("1,234,567", 123_456_700),
        ("1,234,567.8", 123_456_780), (" 7 965,00 $ ", 796_500), ("99 999 999,99", 9_999_999_999),
    ])
    func whatPeopleWriteIsReadExactly(text: String, cents: Int) {
        #expect(Amount.cents(text) == cents)
    }

    @Test(arguments: [
        "1,2,3", "12.345", "0x10", "1,234", "1.234", "1.234,56", "1,23,4", "12 34", "1 2345", "-5", "-0.01", "1e20", "NaN", "abc",
        "１２３", "", "$", "1.2.3", "1,234.567", "100000000", "99999999999", "12,", ",5", "1 234,567", "$$1", "1$2",
    ])
    func anythingAmbiguousIsRefused(text: String) {
        #expect(Amount.cents(text) == nil)
    }
}

@Suite struct TextInputTests {
    @Test func unreadableBytesAreRefused() {
        #expect(TextInput.problem("ab\u{FFFD}c", limit: 200, singleLine: true) == .unreadable)
    }

    @Test(arguments: ["a\rb", "a\nb", "a\u{0}b", "a\tb", "a\u{2028}b", "a\u{1B}b", "Permis\rEND:VEVENT"])
    func singleLinesRefuseControlCharacters(text: String) {
        #expect(TextInput.problem(text, limit: 200, singleLine: true) == .controlCharacter)
    }

    @Test func paragraphsKeepTheirLineBreaksButNotOtherControls() {
        #expect(TextInput.problem("ligne 1\r\nligne 2\n\tfin", limit: 200, singleLine: false) == nil)
        #expect(TextInput.problem("a\u{7}b", limit: 200, singleLine: false) == .controlCharacter)
    }

    @Test func limitsCountCharactersNotBytes() {
        #expect(TextInput.problem(String(repeating: "ف", count: 200), limit: 200, singleLine: true) == nil)
        #expect(TextInput.problem(String(repeating: "ف", count: 201), limit: 200, singleLine: true) == .tooLong(200))
    }
}

@Suite struct CSVWriterTests {
    @Test(arguments: [
        ("a\r\nb", "\"a\r\nb\""), ("x\r\n=1+1", "\"x\r\n=1+1\""), ("\r\n=HYPERLINK(\"x\")", "\"'\r\n=HYPERLINK(\"\"x\"\")\""),
        ("=1+1", "'=1+1"), ("+1", "'+1"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("  =1", "'  =1"),
        ("a\rb", "\"a\rb\""), ("a\nb", "\"a\nb\""), ("a;b", "\"a;b\""), ("VOWP", "VOWP"), ("a,b", "\"a,b\""), ("Zoë", "Zoë"),
    ])
    func cellsNeverSplitARowNorRunAFormula(value: String, expected: String) {
        #expect(CSVWriter.cell(value) == expected)
    }

    @Test func aDocumentHasOneLinePerRowWhateverTheCellsHold() {
        let document = CSVWriter.document([["nom", "note"], ["x\r\n=1+1", "a\"b"]], byteOrderMark: false)
        #expect(document == "nom,note\r\n\"x\r\n=1+1\",\"a\"\"b\"\r\n")
    }
}

@Suite struct NameFoldingTests {
    @Test(arguments: [
        ("Trần Văn Đức", "duc"), ("Đặng Thị Mai", "dang"), ("Łukasz Nowak", "lukasz"), ("Søren Kierkegaard", "soren"),
        ("Ærø Jensen", "aero"), ("Straße Weiß", "weiss"), ("Þórunn Sig", "thorunn"), ("Œuvre Dupont", "oeuvre"),
        ("DUC Trần", "duc"), ("Guðrún", "gudrun"),
    ])
    func lettersWithoutDecompositionAreTransliterated(name: String, token: String) {
        #expect(NameTokens.tokens(name).contains(token))
        #expect(NameTokens.tokens(token.uppercased()).allSatisfy { NameTokens.tokens(name).contains($0) })
    }

    @Test func apostrophesAndHyphensGiveThePartsAndTheJoinedWord() {
        let tokens = Set(NameTokens.tokens("O'Brien-Smith"))
        #expect(tokens.isSuperset(of: ["o", "brien", "smith", "obrien", "briensmith", "obriensmith"]))
        for query in ["obrien", "OBRIEN-SMITH", "o'brien", "O’Brien", "brien smith", "obriensmith"] {
            #expect(Set(NameTokens.tokens(query)).isSubset(of: tokens), "\(query)")
        }
    }
}

@Suite struct EmailCharactersTests {
    @Test(arguments: [
        "\"><script>alert(1)</script>@x.example", "a<b@x.example", "a,b@x.example", "a\"b@x.example", "a>b@x.example",
        "a;b@x.example", "a\rb@x.example",
    ])
    func addressesThatBreakHeadersAreRefused(address: String) {
        #expect(!EmailAddress.isValid(address))
    }

    @Test func ordinaryAddressesPass() {
        #expect(EmailAddress.isValid("camille.o'neil+test@refuge-fictif.example"))
    }
}

@Suite struct ICalendarEscapeTests {
    @Test func everyLineBreakIsEscaped() {
        let escaped = ICalendar.escape("Permis\rEND:VEVENT\rBEGIN:VEVENT\nx\r\ny")
        #expect(!escaped.unicodeScalars.contains("\r"))
        #expect(!escaped.unicodeScalars.contains("\n"))
        #expect(escaped == "Permis\\nEND:VEVENT\\nBEGIN:VEVENT\\nx\\ny")
    }
}

@Suite struct LocalDayTests {
    @Test func theEveningInTorontoIsStillToday() {
        let toronto = TimeZone(identifier: "America/Toronto")!
        // 2026-12-02 20:30 in Toronto is 2026-12-03 01:30 UTC.
        let evening = Date(timeIntervalSince1970: 1_796_265_000)
        #expect(Day(evening) == Day(year: 2026, month: 12, day: 3))
        #expect(Day(evening, in: toronto) == Day(year: 2026, month: 12, day: 2))
        #expect(Day(evening, in: TimeZone(identifier: "America/Vancouver")!) == Day(year: 2026, month: 12, day: 2))
    }
}
