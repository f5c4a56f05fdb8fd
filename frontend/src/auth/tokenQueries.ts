import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createToken, listTokens, revokeToken } from './authApi';
import type { NewApiToken } from './types';

const TOKENS_KEY = ['tokens'] as const;

/** Every API token, newest first (admins). */
export const useTokens = (enabled = true) =>
  useQuery({
    queryKey: TOKENS_KEY,
    queryFn: async () => [...(await listTokens())].sort((a, b) => b.id - a.id),
    enabled,
  });

export function useCreateToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewApiToken) => createToken(body),
    onSuccess: () => qc.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}

export function useRevokeToken() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => revokeToken(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: TOKENS_KEY }),
  });
}
