package httpapi

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/iam"
)

// callerKey is the context key of the request's caller (with Config.IAM).
type callerKey struct{}

// Caller returns who signed the request ctx belongs to, with Config.IAM;
// nil without it.
func Caller(ctx context.Context) *iam.Caller {
	c, _ := ctx.Value(callerKey{}).(*iam.Caller)
	return c
}

// authorizeCall authorizes a JSON service's decoded call with Config.IAM.
func (s *Server) authorizeCall(ctx context.Context, r *http.Request, now time.Time, caller *iam.Caller, rt *route, in any, region string) *eddy.Error {
	var res []iam.Resource
	if rt.svc.Resources != nil {
		res = rt.svc.Resources(ctx, rt.op.Name, in)
	}
	return s.authorize(r, now, caller, rt.action, region, res)
}

// authorize asks Config.IAM whether caller may perform action on res,
// with the request's condition keys.
func (s *Server) authorize(r *http.Request, now time.Time, caller *iam.Caller, action, region string, res []iam.Resource) *eddy.Error {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	return s.cfg.IAM.Authorize(caller, &iam.Call{
		Action:    action,
		Region:    region,
		Resources: res,
		SourceIP:  ip,
		Secure:    r.TLS != nil,
		Now:       now,
	})
}
