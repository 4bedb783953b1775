import { createContext, useContext } from 'react';
import type { ResultOf } from './api/graphql';
import type { MeQuery } from './api/operations';

export type Me = ResultOf<typeof MeQuery>['me'];

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside the signed-in shell');
  return me;
}
