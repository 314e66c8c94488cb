// Package httpserver holds hearth's HTTP front: echo with the middleware
// chain every request passes (request IDs and access logs, CORS, body
// limits, rate limits, authentication from the operation's security, and
// kin-openapi validation from the embedded spec) and the one error handler
// that answers every failure as a Matrix error. impl/app builds it and hands
// it the API adapters to route.
package httpserver
