package kds

// Resource policies: PutResourcePolicy, GetResourcePolicy,
// DeleteResourcePolicy. The resource is a stream or a consumer, by ARN.

// PutResourcePolicyInput is the request of PutResourcePolicy. Policy is a
// JSON policy document, which the service checks.
type PutResourcePolicyInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
	Policy      *string `json:"Policy,omitempty"`
}

// PutResourcePolicyOutput is the response of PutResourcePolicy: empty.
type PutResourcePolicyOutput struct{}

// Validate checks the model constraints.
func (in *PutResourcePolicyInput) Validate() error {
	var v violations
	v.str("policy", in.Policy, true, shapeUnconstrained)
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	return v.err()
}

// GetResourcePolicyInput is the request of GetResourcePolicy.
type GetResourcePolicyInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
}

// GetResourcePolicyOutput is the response of GetResourcePolicy. Policy is
// required.
type GetResourcePolicyOutput struct {
	Policy string `json:"Policy"`
}

// Validate checks the model constraints.
func (in *GetResourcePolicyInput) Validate() error {
	var v violations
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	return v.err()
}

// DeleteResourcePolicyInput is the request of DeleteResourcePolicy.
type DeleteResourcePolicyInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
}

// DeleteResourcePolicyOutput is the response of DeleteResourcePolicy:
// empty.
type DeleteResourcePolicyOutput struct{}

// Validate checks the model constraints.
func (in *DeleteResourcePolicyInput) Validate() error {
	var v violations
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	return v.err()
}
