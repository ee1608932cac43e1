package kinesis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/eddy-streams/eddy"
)

// pageToken is the state behind a NextToken of ListShards and ListStreams:
// JSON, MAC'd with the engine's secret and base64-encoded, so a client
// cannot forge one. Tokens expire after tokenTTL, as AWS's do.
type pageToken struct {
	Op      string `json:"o"`
	Stream  string `json:"s,omitempty"`
	Created int64  `json:"c,omitempty"` // stream incarnation
	After   string `json:"a"`           // exclusive start: shard id or stream name
	Filter  string `json:"f,omitempty"` // ListShards filter, as JSON
	Issued  int64  `json:"t"`           // Unix ms
}

const tokenTTL = 300 * time.Second

func (e *Engine) encodeToken(t pageToken) string {
	t.Issued = e.now().UnixMilli()
	b, _ := json.Marshal(t)
	mac := hmac.New(sha256.New, e.secret)
	mac.Write(b)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(b)[:len(b)+16])
}

func (e *Engine) decodeToken(s, op string) (pageToken, error) {
	bad := eddy.Errorf(eddy.CodeInvalidArgument, "Invalid NextToken.")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 17 {
		return pageToken{}, bad
	}
	body, sum := b[:len(b)-16], b[len(b)-16:]
	mac := hmac.New(sha256.New, e.secret)
	mac.Write(body)
	var t pageToken
	if !hmac.Equal(mac.Sum(nil)[:16], sum) || json.Unmarshal(body, &t) != nil || t.Op != op {
		return pageToken{}, bad
	}
	if age := e.now().Sub(time.UnixMilli(t.Issued)); age > tokenTTL {
		return pageToken{}, eddy.Errorf(eddy.CodeExpiredNextToken,
			"The timestamp of the NextToken is more than %d seconds old.", int(tokenTTL.Seconds()))
	}
	return t, nil
}
