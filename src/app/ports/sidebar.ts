import type { BuyingState, Lead } from '../../domain/lead';
import type { BoardLeadPage } from './board';

/** What the sidebar asks of the rep-action core: the same actions as commands and cards. */
export type SidebarAction =
  | { action: 'call'; minutes: number; note?: string }
  | { action: 'position'; state: Exclude<BuyingState, 'unknown'> }
  | { action: 'confirm_state'; state: Exclude<BuyingState, 'unknown'> | 'none' }
  | { action: 'meeting'; startsAt: string }
  | { action: 'group' }
  | { action: 'snooze'; days: number }
  | { action: 'won'; reason?: string }
  | { action: 'lost'; reason?: string };

/** One signature for ww.register, as the JS-SDK takes it. */
export interface SidebarSignature {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** What the sidebar shows for a customer in a 1:1 chat. */
export type SidebarContact =
  | {
      kind: 'lead';
      page: BoardLeadPage;
      nextText: string | null;
      question: string | null;
      openNudge: { kind: string; label: string; sentAt: number } | null;
    }
  | { kind: 'other_owner'; ownerName: string }
  | { kind: 'not_lead'; externalUserId: string };

export interface SidebarChat {
  chatId: string;
  name?: string;
  leads: { id: string; name: string; mine: boolean; ownerName: string }[];
  customers: string[];
}

/** The sidebar's entry point (src/app/sidebar.ts), for src/http/sidebar-routes.ts. */
export interface SidebarUseCases {
  signatures(url: string): Promise<{ corpId: string; agentId: number; config: SidebarSignature; agentConfig: SidebarSignature }>;
  contact(rep: string, externalUserId: string): Promise<SidebarContact>;
  chat(rep: string, chatId: string): Promise<SidebarChat | undefined>;
  adopt(rep: string, externalUserId: string, key: string): Promise<Lead | 'not_your_customer'>;
  act(
    rep: string,
    leadId: string,
    a: SidebarAction,
    key: string,
  ): Promise<{ ok: true; action: string; text: string; link?: string } | { ok: false; error: 'NOT_FOUND' | 'FORBIDDEN' | 'BAD_TIME' }>;
}
