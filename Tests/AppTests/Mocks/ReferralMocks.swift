import Domain
import Foundation

@testable import App

private let referralURL = SiteURL.referral(.value("00000000-0000-4000-8000-000000000009")).path

extension ReferralsController.FormContext {
    static var mock: Self {
        Self(
            page: Mock.page("referral.new.title"), csrf: "jeton-fictif", action: SiteURL.casePart(.value(Mock.caseID), .referrals).path,
            caseURL: SiteURL.caseFile(.value(Mock.caseID)).path, consentURL: SiteURL.caseFile(.value(Mock.caseID)).path + "#consent",
            reference: "ORG-2026-0001", serviceID: "00000000-0000-4000-8000-000000000003", serviceName: "Maison Fictive (fictif)",
            serviceURL: SiteURL.directoryService(.value("00000000-0000-4000-8000-000000000003")).path, receiverName: "Organisme Fictif",
            outsideNetwork: true, mayShare: false, needs: Mock.options,
            fields: [.init(value: "preferred_name", label: "Nom d'usage", preview: "Personne Fictive", selected: true)],
            bundles: [.init(label: "Coordonnées seulement", href: SiteURL.casePart(.value(Mock.caseID), .referrals).path + "?bundle=contact_only")],
            message: "Message fictif", letterLanguages: Mock.options,
            errors: Mock.errors("service", "consent", "needs", "fields", "message", "letterLanguage"))
    }
}

extension ReferralsController.Row {
    static var mock: Self {
        Self(
            href: referralURL, service: "Maison Fictive (fictif)", counterpart: "Organisme Fictif", state: "En attente", stateRaw: "pending",
            at: "2 mars 2026 à 13 h 05")
    }
}

extension ReferralsController.InboxTable.Labels {
    static var mock: Self { Self(at: "Reçue le", counterpart: "De", service: "Service", state: "État") }
}

extension ReferralsController.InboxContext {
    static var mock: Self {
        Self(
            page: Mock.page("referral.inbox.title"), pending: .init([.mock], .mock), answered: .init([.mock], .mock), sent: .init([.mock], .mock),
            answeredTotal: 30, sentTotal: 2,
            pendingTotal: 40,
            previousURL: SiteURL.referrals.path + "?page=1", nextURL: SiteURL.referrals.path + "?page=3")
    }
}

extension ReferralsController.ShowContext {
    static var mock: Self {
        Self(
            page: Mock.page("referral.show.title"), csrf: "jeton-fictif", isSender: false, serviceName: "Maison Fictive (fictif)",
            serviceURL: SiteURL.directoryService(.value("00000000-0000-4000-8000-000000000003")).path, receiverName: "Organisme Fictif",
            senderName: "Organisme Fictif d'origine", state: "En attente", stateRaw: "pending", declineReason: "Complet",
            sentAt: "2 mars 2026 à 13 h 05", readable: true,
            shared: [.init(field: "preferred_name", label: "Nom d'usage", value: "Personne Fictive")],
            steps: [.init(at: "2 mars 2026 à 13 h 05", what: "Envoyée par Organisme Fictif d'origine")],
            actions: [
                .init(event: "accept", label: "Accepter", isDecline: false, isDanger: false),
                .init(event: "decline", label: "Refuser", isDecline: true, isDanger: true),
            ],
            eventsAction: SiteURL.referralAction(.value("00000000-0000-4000-8000-000000000009"), .events).path, reasons: Mock.options, version: 1,
            caseURL: SiteURL.caseFile(.value(Mock.caseID)).path,
            openCaseAction: SiteURL.referralAction(.value("00000000-0000-4000-8000-000000000009"), .openCase).path,
            letterURL: SiteURL.referralAction(.value("00000000-0000-4000-8000-000000000009"), .letter).path, outsideNetwork: true,
            errors: Mock.errors("event", "reason"))
    }
}

extension ReferralsController.LetterContext {
    static var mock: Self {
        Self(
            page: Mock.page("referral.letter.title"), date: "2 mars 2026", serviceName: "Maison Fictive (fictif)", receiverName: "Organisme Fictif",
            shared: [.init(field: "preferred_name", label: "Nom d'usage", value: "Personne Fictive")],
            senderOrganisation: "Organisme Fictif d'origine",
            senderName: "Intervenante Fictive", senderEmail: "intervenante@fictif.example", backURL: referralURL)
    }
}
