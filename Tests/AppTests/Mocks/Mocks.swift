import Foundation

@testable import App

/// What every mock page shares: the chrome of a signed-in caseworker, options, errors.
enum Mock {
    static func page(_ titleKey: String, signedIn: Bool = true) -> PageChrome {
        PageChrome(
            lang: "fr-CA", otherLang: "en-CA", otherLangLabelKey: "language.switch_to.en", otherLangURL: "/home?lang=en", titleKey: titleKey,
            demo: true, signedIn: signedIn, userName: signedIn ? "Personne Fictive" : nil,
            organisationName: signedIn ? "Organisme Fictif (démo)" : nil, csrf: "jeton-fictif",
            nav: signedIn ? [PageChrome.NavItem(href: SiteURL.home.path, labelKey: "nav.home", current: true)] : [],
            printedAt: signedIn ? "2 mars 2026 à 13 h 05" : nil, saved: signedIn ? "Note ajoutée (fictif)." : nil)
    }

    static let options = [
        FormOption(value: "a", label: "Choix fictif A", selected: true), FormOption(value: "b", label: "Choix fictif B", selected: false),
    ]
    static let keyed = [KeyedOption(value: "caseworker", labelKey: "role.caseworker", selected: true)]

    /// Errors on the given fields, so every `#if(errors.x)` branch renders.
    static func errors(_ fields: String...) -> FormErrors {
        var errors = FormErrors()
        for field in fields { errors.add(field, "Message d’erreur fictif") }
        return errors
    }

    static let caseID = "00000000-0000-4000-8000-000000000001"
    static let links = CaseLinks(caseID)
}
