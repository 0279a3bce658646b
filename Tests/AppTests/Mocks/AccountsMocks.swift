import Foundation

@testable import App

extension AuthController.LoginContext {
    static var mock: Self {
        Self(
            page: Mock.page("login.title", signedIn: false), csrf: "jeton-fictif", email: "personne@fictif.example",
            errors: Mock.errors("email", "password", "form"), notice: "Avis fictif", next: Mock.links.file)
    }
}

extension AuthController.CodeContext where Step == AuthController.SignInCode {
    static var mock: Self {
        Self(
            page: Mock.page("two_factor.title", signedIn: false), csrf: "jeton-fictif", errors: Mock.errors("code"), secret: nil, uri: nil,
            action: SiteURL.twoFactor.path)
    }
}

extension AuthController.CodeContext where Step == AuthController.SetUpCode {
    static var mock: Self {
        Self(
            page: Mock.page("two_factor.setup.title", signedIn: false), csrf: "jeton-fictif", errors: Mock.errors("code"),
            secret: "ABCD EFGH IJKL", uri: "otpauth://totp/Passerelle:fictif?secret=ABCDEFGHIJKL", action: SiteURL.twoFactorSetup.path)
    }
}

extension AuthController.SetPasswordContext {
    static var mock: Self {
        Self(
            page: Mock.page("set_password.title", signedIn: false), csrf: "jeton-fictif", email: "personne@fictif.example",
            action: SiteURL.setPassword(.value("jeton")).path, errors: Mock.errors("password", "confirmation", "form"), minimumLength: 12)
    }
}

extension AccountController.AccountContext {
    static var mock: Self {
        Self(
            page: Mock.page("account.title"), csrf: "jeton-fictif", email: "personne@fictif.example", displayName: "Personne Fictive",
            organisationName: "Organisme Fictif", language: "fr", twoFactorEnabled: true,
            errors: Mock.errors("current", "password", "confirmation", "form"), notice: "Avis fictif", minimumLength: 12, showsDigest: true,
            digestEnabled: true)
    }
}

extension AccountController.SessionsContext {
    static var mock: Self {
        Self(
            page: Mock.page("sessions.title"), csrf: "jeton-fictif",
            sessions: [
                AccountController.SessionView(
                    id: "s", createdAt: "1 mars 2026", lastSeenAt: "2 mars 2026", userAgent: "Navigateur fictif", address: "192.0.2.1",
                    current: false,
                    endURL: SiteURL.sessionEnd(.value("s")).path)
            ], notice: "Avis fictif")
    }
}

extension AccountController.TwoFactorContext {
    static var mock: Self {
        Self(
            page: Mock.page("account.two_factor.title"), csrf: "jeton-fictif", secret: "ABCD EFGH", uri: "otpauth://totp/fictif",
            errors: Mock.errors("code", "password"))
    }
}

extension UsersController {
    static let mockRow = UserRow(
        id: "u", displayName: "Personne Fictive", email: "personne@fictif.example", organisationName: "Organisme Fictif", roles: ["role.caseworker"],
        active: false, twoFactor: true, lastSignIn: "2 mars 2026", links: UserLinks("u"))
}

extension UsersController.IndexContext {
    static var mock: Self { Self(page: Mock.page("users.title"), users: [UsersController.mockRow], showOrganisation: true) }
}

extension UsersController.NewContext {
    static var mock: Self {
        Self(
            page: Mock.page("users.new.title"), csrf: "jeton-fictif", email: "personne@fictif.example", displayName: "Personne Fictive",
            roles: Mock.keyed, languages: [KeyedOption(value: "fr", labelKey: "language.fr", selected: true)],
            organisations: [UsersController.OrganisationChoice(value: "o", name: "Organisme Fictif", selected: true)], chooseOrganisation: true,
            errors: Mock.errors("email", "displayName", "roles", "language", "organisation", "form"))
    }
}

extension UsersController.ShowContext {
    static var mock: Self {
        Self(
            page: Mock.page("users.show.title"), csrf: "jeton-fictif", user: UsersController.mockRow, roles: Mock.keyed, notice: "Avis fictif",
            errors: Mock.errors("roles", "form"), isSelf: false, canReset: true)
    }
}

extension OrganisationsController.IndexContext {
    static var mock: Self {
        Self(
            page: Mock.page("organisations.title"),
            organisations: [
                OrganisationsController.OrganisationRow(
                    id: "o", name: "Organisme Fictif", typeKey: "organisation.type.ngo", provinces: ["province.QC"], active: true, users: 3,
                    href: SiteURL.organisation(.value("o")).path)
            ])
    }
}

extension OrganisationsController.FormContext {
    static var mock: Self {
        Self(
            page: Mock.page("organisations.title"), csrf: "jeton-fictif", action: SiteURL.organisations.path, isNew: true, name: "Organisme Fictif",
            types: [KeyedOption(value: "ngo", labelKey: "organisation.type.ngo", selected: true)],
            provinces: [KeyedOption(value: "QC", labelKey: "province.QC", selected: true)], languages: "fr, en", active: true,
            errors: Mock.errors("name", "type", "provinces", "languages", "form"))
    }
}
