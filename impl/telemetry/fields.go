package telemetry

import "context"

// Fields are the identifiers of a unit of work (a request or a job) that
// every log record of it carries. The request's first middleware creates
// them; later steps fill in who is asking.
type Fields struct {
	RequestID string
	UserID    string
	DeviceID  string
	// Op is the spec operation the request was routed to.
	Op string
	// Errcode is the Matrix error the request was answered with, if any.
	Errcode string
}

type fieldsKey struct{}

// WithFields returns ctx carrying f; f is shared, so later steps may fill it in.
func WithFields(ctx context.Context, f *Fields) context.Context {
	return context.WithValue(ctx, fieldsKey{}, f)
}

// FieldsOf returns the fields ctx carries, or a throwaway value when none.
func FieldsOf(ctx context.Context) *Fields {
	if f, ok := ctx.Value(fieldsKey{}).(*Fields); ok {
		return f
	}
	return &Fields{}
}
