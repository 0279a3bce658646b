/// Where to go back to after signing in: a path of this site only. Anything that could leave it
/// (`//host`, `/\host`, a scheme, a control character or a space) or loop (the sign-in page
/// itself) is refused, and the person lands on the home page instead.
public enum ReturnPath {
    public static let maximumLength = 2000

    public static func validated(_ raw: String?, refusing loops: [String] = []) -> String? {
        guard let raw, raw.count <= maximumLength, raw.hasPrefix("/") else { return nil }
        let second = raw.dropFirst().first
        if second == "/" || second == "\\" { return nil }
        if raw.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F || $0 == "\\" }) { return nil }
        let path = raw.split(separator: "?", maxSplits: 1).first.map(String.init) ?? raw
        if loops.contains(path) { return nil }
        return raw
    }
}
