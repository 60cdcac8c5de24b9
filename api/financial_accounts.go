package api

import (
	"context"
	"errors"

	"github.com/monimekit/monime-go/gen/server"
)

// Financial accounts are in the spec ahead of the fake: until the fake
// keeps them, every operation answers as an internal error.
var errNoAccountsYet = errors.New("financial accounts are not in the fake yet")

func (h *handlers) ListFinancialAccounts(context.Context, server.ListFinancialAccountsRequestObject) (server.ListFinancialAccountsResponseObject, error) {
	return nil, errNoAccountsYet
}

func (h *handlers) CreateFinancialAccount(context.Context, server.CreateFinancialAccountRequestObject) (server.CreateFinancialAccountResponseObject, error) {
	return nil, errNoAccountsYet
}

func (h *handlers) GetFinancialAccount(context.Context, server.GetFinancialAccountRequestObject) (server.GetFinancialAccountResponseObject, error) {
	return nil, errNoAccountsYet
}

func (h *handlers) UpdateFinancialAccount(context.Context, server.UpdateFinancialAccountRequestObject) (server.UpdateFinancialAccountResponseObject, error) {
	return nil, errNoAccountsYet
}
