import Domain
import Testing

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy(commonPasswords: ["motdepasse123", "Password1234"])

    @Test func acceptsALongPassphrase() {
        #expect(policy.problems(password: "la tortue traverse lentement", confirmation: "la tortue traverse lentement").isEmpty)
    }

    @Test func refusesShortCommonAndMismatched() {
        #expect(policy.problems(password: "court").contains(.tooShort))
        #expect(policy.problems(password: "MOTDEPASSE123").contains(.common))
        #expect(policy.problems(password: "password1234").contains(.common))
        #expect(policy.problems(password: "une phrase assez longue", confirmation: "autre chose").contains(.mismatch))
    }

    @Test func refusesOverlongButAllowsAtLeast64() {
        #expect(policy.problems(password: String(repeating: "a", count: 64) + "b").isEmpty)
        #expect(policy.problems(password: String(repeating: "ab", count: 65)).contains(.tooLong))
    }

    @Test func countsCharactersAsPeopleSeeThem() {
        // 12 characters, 24 bytes: accepted; 11 characters of any width: refused.
        #expect(policy.problems(password: "éàèùçôêîûëïü").isEmpty)
        #expect(policy.problems(password: "Nguyễn Thị H").isEmpty)
        #expect(policy.problems(password: "ẹ̀ṣọ́ ọmọ ẹ").contains(.tooShort))
    }

    @Test func refusesPasswordContainingTheEmail() {
        #expect(policy.problems(password: "camille.exemple2026!", email: "camille.exemple@refuge.example").contains(.containsEmail))
    }

    @Test func parsesTheBundledListFormat() {
        #expect(PasswordPolicy.parseList("# comment\nabc\n\ndef\n") == ["abc", "def"])
    }
}
