package api

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// nullableMembers lists, per operation, the request members Monime's
// document marks nullable. The fake reads null there as absent, before it
// validates the body against spec/, which cannot say so itself: OpenAPI
// 3.0.3 ignores nullable beside a $ref, and spec/ keeps the generated
// request types free of it. A path names an object member; [] stands for
// every element of an array.
var nullableMembers = map[string][]string{
	"CreateCheckoutSession": {
		"description", "callbackState", "reference", "financialAccountId",
		"lineItems", "lineItems[].reference", "lineItems[].description", "lineItems[].images",
		"paymentOptions", "brandingOptions", "metadata",
		"paymentOptions.bank.enabledProviders", "paymentOptions.bank.disabledProviders",
		"paymentOptions.momo.enabledProviders", "paymentOptions.momo.disabledProviders",
		"paymentOptions.wallet.enabledProviders", "paymentOptions.wallet.disabledProviders",
	},
	"UpdatePayment":          {"name", "metadata"},
	"CreateFinancialAccount": {"reference", "description", "metadata"},
	"UpdateFinancialAccount": {"name", "reference", "description", "metadata"},
	"CreatePayout":           {"source", "source.transactionReference", "destination.transactionReference", "metadata"},
	"UpdatePayout":           {"metadata"},
	"CreateInternalTransfer": {"description", "metadata"},
	"PatchInternalTransfer":  {"description", "metadata"},
	"CreatePaymentCode": {"name", "customer", "customer.name", "reference", "authorizedProviders",
		"recurrentPaymentTarget", "recurrentPaymentTarget.expectedPaymentCount", "financialAccountId", "metadata"},
	"UpdatePaymentCode": {"name", "amount", "duration", "enable", "customer", "customer.name", "reference",
		"authorizedProviders", "authorizedPhoneNumber", "recurrentPaymentTarget",
		"recurrentPaymentTarget.expectedPaymentCount", "financialAccountId", "metadata"},
	"CreateUSSDOTP": {"verificationMessage", "metadata"},
	"RedeemReceipt": {"redeemAll", "entitlements", "metadata"},
}

// dropNullMembers removes from body the null members of the paths listed
// for operation, and puts the result back on r. A body with none, or that
// is not a JSON object, is left exactly as it came, for the validator to
// judge. Numbers keep their digits (json.Number).
func dropNullMembers(r *http.Request, operation string, body []byte) []byte {
	paths := nullableMembers[operation]
	if len(paths) == 0 || !bytes.Contains(body, []byte("null")) || !json.Valid(body) {
		return body
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return body
	}
	dropped := false
	for _, p := range paths {
		dropped = dropNull(doc, strings.Split(p, ".")) || dropped
	}
	if !dropped {
		return body
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return body
	}
	r.Body = io.NopCloser(bytes.NewReader(out))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(out)), nil }
	r.ContentLength = int64(len(out))
	return out
}

// dropNull removes the member at path from v when it is null, and reports
// whether it removed any.
func dropNull(v any, path []string) bool {
	obj, ok := v.(map[string]any)
	if !ok || len(path) == 0 {
		return false
	}
	name, each := strings.CutSuffix(path[0], "[]")
	member, present := obj[name]
	switch {
	case !present:
		return false
	case len(path) == 1 && !each:
		if member == nil {
			delete(obj, name)
			return true
		}
		return false
	case each:
		list, _ := member.([]any)
		dropped := false
		for _, item := range list {
			dropped = dropNull(item, path[1:]) || dropped
		}
		return dropped
	}
	return dropNull(member, path[1:])
}
