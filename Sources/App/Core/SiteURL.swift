/// Every path of the site, so routes and links are built from the same value.
enum SiteURL {
    static let root = "/"
    static let login = "/login"
    static let twoFactor = "/login/two-factor"
    static let twoFactorSetup = "/login/two-factor/setup"
    static let logout = "/logout"
    static let home = "/home"
    static let account = "/account"
    static let accountPassword = "/account/password"
    static let accountTwoFactor = "/account/two-factor"
    static let sessions = "/account/sessions"
    static let organisations = "/organisations"
    static let users = "/users"
    static let audit = "/audit"
    static let healthz = "/healthz"
    static let metrics = "/metrics"
    static let setPassword = "/set-password"
    static let cases = "/cases"
    static let caseSettings = "/case-settings"
    static let deadlines = "/deadlines"
    static let figures = "/applications/figures"
    static let pathways = "/pathways"

    static func organisation(_ id: String) -> String { "/organisations/\(id)" }
    static func user(_ id: String) -> String { "/users/\(id)" }
    static func session(_ id: String) -> String { "/account/sessions/\(id)" }
    static func setPassword(token: String) -> String { "/set-password/\(token)" }
    static func caseFile(_ id: String) -> String { "/cases/\(id)" }
}
