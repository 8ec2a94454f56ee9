import { useSubscription } from 'urql';
import { graphql } from './gql/index.ts';

const StoryActivity = graphql(`
  subscription OnStoryActivity {
    storyActivity {
      __typename
      ... on StoryViewed { storyId viewedAt viewer { username } }
      ... on StoryReacted { storyId reactedAt emoji user { username } }
    }
  }
`);

/** Who viewed or reacted to my stories, as it happens (only mine, never my own actions). */
export function StoryToasts() {
  const [{ data: toasts }] = useSubscription({ query: StoryActivity }, (shown: string[] = [], event) => {
    const activity = event.storyActivity;
    const text =
      activity.__typename === 'StoryViewed'
        ? `${activity.viewer.username} viewed your story`
        : activity.__typename === 'StoryReacted'
          ? `${activity.user.username} reacted ${activity.emoji} to your story`
          : 'Story activity';
    return [text, ...shown].slice(0, 5);
  });
  return (
    <aside className="toasts" aria-live="polite">
      {toasts?.map((text, i) => (
        <div key={`${i}-${text}`} className="toast" data-testid="toast">
          {text}
        </div>
      ))}
    </aside>
  );
}
