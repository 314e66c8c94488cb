// Package appservice holds application services (v1.19 application service
// API, "Registration"): the registrations hearth reads at start, from the
// files and the directory its configuration names (Complement, Matrix's test
// suite, writes them to /complement/appservice). For now it loads and
// validates them; impl/app keeps them for the parts that will use them:
// as_token authentication, namespace checks at registration, and delivery
// of events to the services.
package appservice
