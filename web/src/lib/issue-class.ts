// The class problem an issue belongs to (所属类问题) on its detail screen: named from the timeline's link note
// (anyone who reads the issue reads that), a link when the reader may open the class, and whether the reader may
// add an issue outside any class to one by hand (纳入类问题).
import { computed, ref, watch } from 'vue';
import { managesClassProblems } from '../../../shared/roles.ts';
import { CLASS_LINKABLE_STATES } from '../../../shared/states.ts';
import { CLASS_ROLES, UNIT_ROLES } from '../router.ts';
import { useSession } from '../stores/session.ts';
import { api } from './api.ts';
import type { IssueDetail } from './types.ts';

export interface ClassRef {
  id: string;
  number: string;
  title: string;
}

export function useIssueClass(issue: () => IssueDetail) {
  const session = useSession();
  /** The class as the link note on the timeline names it (readable by anyone who reads the issue). */
  const classNamed = computed((): ClassRef | null => {
    const id = issue().classProblemId;
    if (!id) return null;
    const link = [...issue().timeline]
      .reverse()
      .find((e) => e.data?.classLink === 'add' && e.data.classProblemId === id);
    const number = link?.data?.classNumber;
    const title = link?.data?.classTitle;
    return {
      id,
      number: typeof number === 'string' ? number : '',
      title: typeof title === 'string' ? title : '',
    };
  });
  /**
   * The class as a link, when the reader may open it: the coordinators open every class, so the timeline's name
   * serves; a unit's staff open only the classes their unit leads or co-handles, which one read tells.
   */
  const classOpen = ref<ClassRef | null>(null);
  watch(
    () => issue().classProblemId,
    async (id) => {
      classOpen.value = null;
      const role = session.user?.role;
      if (!id || !role || !CLASS_ROLES.includes(role)) return;
      const named = classNamed.value;
      if (!UNIT_ROLES.includes(role) && named?.number) {
        classOpen.value = named;
        return;
      }
      try {
        const c = await api.get<ClassRef>(`/class-problems/${id}`);
        if (issue().classProblemId === id) classOpen.value = { id, number: c.number, title: c.title };
      } catch {
        // Not one the reader's unit leads or co-handles (404): named from the timeline, without a link.
      }
    },
    { immediate: true },
  );

  /** 纳入类问题: those the API lets add members (shared/roles.ts), on an issue in no class that may join one. */
  const canAddToClass = computed(() => {
    const user = session.user;
    const i = issue();
    return (
      !!user && managesClassProblems(user) && !i.classProblemId && CLASS_LINKABLE_STATES.includes(i.state)
    );
  });

  return { classNamed, classOpen, canAddToClass };
}
